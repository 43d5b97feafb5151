import VipdConfig
import VipdCore

/// Writes a configuration as vipd.yaml text in the documented schema, the way a person would: sections
/// in the reference's order, defaults left out where they add nothing, comments above the keys (pure).
struct VipdYAMLWriter {
    /// Comment lines at the top of the file.
    var header: [String]
    /// Comment lines above a key, by key path (`cluster.nodes`, `vrrp.VI_1`, `pools.ssh`).
    var comments: [String: [String]]

    private var lines: [String] = []

    init(header: [String], comments: [String: [String]]) {
        self.header = header
        self.comments = comments
    }

    /// The YAML text of `configuration`.
    mutating func write(_ configuration: VipdConfiguration) -> String {
        lines = header.map { "# \($0)" }
        if !configuration.nodes.isEmpty { writeCluster(configuration.nodes) }
        if !configuration.vrrp.isEmpty { writeVRRP(configuration.vrrp) }
        if !configuration.syncGroups.isEmpty { writeSyncGroups(configuration.syncGroups) }
        if !configuration.trackScripts.isEmpty { writeTrackScripts(configuration.trackScripts) }
        writeListeners(configuration.listeners)
        writePools(configuration.pools, nodes: configuration.nodes)
        if let stats = configuration.stats { writeStats(stats) }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Helpers

    private mutating func section(_ key: String) {
        lines.append("")
        comment(key, indent: 0)
        lines.append("\(key):")
    }

    private mutating func comment(_ path: String, indent: Int) {
        for line in comments[path] ?? [] { lines.append(String(repeating: " ", count: indent) + "# \(line)") }
    }

    /// `key: value` at `indent`.
    private mutating func field(_ indent: Int, _ key: String, _ value: String) {
        lines.append(String(repeating: " ", count: indent) + "\(key): \(value)")
    }

    private static func flow(_ pairs: [(String, String)]) -> String {
        "{ " + pairs.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + " }"
    }

    private static func name(_ text: String) -> String { YAMLScalar.plainOrQuoted(text) }

    // MARK: Sections

    private mutating func writeCluster(_ nodes: [ClusterNode]) {
        section("cluster")
        comment("cluster.nodes", indent: 2)
        lines.append("  nodes:")
        for node in nodes {
            field(4, Self.name(node.name), Self.flow([("address", node.address.text), ("priority", "\(node.priority)")]))
        }
    }

    private mutating func writeVRRP(_ instances: [VRRPInstanceConfig]) {
        section("vrrp")
        let defaults = VRRPInstanceConfig(name: "", interface: "", virtualRouterID: 1, virtualAddresses: [])
        for instance in instances {
            comment("vrrp.\(instance.name)", indent: 2)
            lines.append("  \(Self.name(instance.name)):")
            field(4, "interface", Self.name(instance.interface))
            field(4, "router_id", "\(instance.virtualRouterID)")
            field(4, "version", "\(instance.version)")
            field(4, "advert_interval", instance.advertisementInterval.configText)
            field(4, "preempt", "\(instance.preempt)")
            if instance.preemptDelay != defaults.preemptDelay { field(4, "preempt_delay", instance.preemptDelay.configText) }
            if instance.unicast { field(4, "unicast", "true") }
            if let password = instance.password { field(4, "authentication", Self.flow([("password", YAMLScalar.quoted(password))])) }
            field(4, "virtual_addresses", "[" + instance.virtualAddresses.map(\.description).joined(separator: ", ") + "]")
            if !instance.track.isEmpty {
                lines.append("    track:")
                let kinds: [(String, TrackedObjectConfig.Kind)] = [
                    ("interfaces", .interface), ("pools", .pool), ("scripts", .script), ("files", .file), ("processes", .process),
                ]
                for (key, kind) in kinds {
                    let objects = instance.track.filter { $0.kind == kind }
                    guard !objects.isEmpty else { continue }
                    if objects.contains(where: { $0.minimum != 1 || $0.maximum != nil }) {
                        field(6, key, "[" + objects.map(Self.trackedProcess).joined(separator: ", ") + "]")
                    } else if objects.allSatisfy({ $0.weight == 0 }) {
                        field(6, key, "[" + objects.map { Self.name($0.name) }.joined(separator: ", ") + "]")
                    } else {
                        field(6, key, Self.flow(objects.map { (Self.name($0.name), "\($0.weight)") }))
                    }
                }
            }
            let garp = instance.announcements
            if garp != defaults.announcements {
                field(
                    4, "garp",
                    Self.flow([
                        ("count", "\(garp.count)"), ("interval", garp.interval.configText), ("repeat_after", garp.repeatAfter.configText),
                    ] + (garp.refresh.map { [("refresh", $0.configText)] } ?? [])
                        + (garp.refreshCount != defaults.announcements.refreshCount ? [("refresh_count", "\(garp.refreshCount)")] : [])))
            }
            if !instance.notify.isEmpty {
                lines.append("    notify:")
                let notify = instance.notify
                for (key, command) in [("master", notify.master), ("backup", notify.backup), ("fault", notify.fault), ("stop", notify.stop), ("any", notify.any)] {
                    if let command { field(6, key, YAMLScalar.quoted(command)) }
                }
            }
        }
    }

    /// A tracked process in the list's mapping form: `{ name: nginx, weight: -20, min: 2, max: 8 }`.
    private static func trackedProcess(_ process: TrackedObjectConfig) -> String {
        var pairs = [("name", name(process.name)), ("weight", "\(process.weight)"), ("min", "\(process.minimum)")]
        if let maximum = process.maximum { pairs.append(("max", "\(maximum)")) }
        return flow(pairs)
    }

    private mutating func writeSyncGroups(_ groups: [SyncGroupConfig]) {
        section("sync_groups")
        for group in groups {
            comment("sync_groups.\(group.name)", indent: 2)
            var pairs = [("instances", "[" + group.instances.map(Self.name).joined(separator: ", ") + "]")]
            if group.priority != .own { pairs.append(("priority", group.priority.rawValue)) }
            field(2, Self.name(group.name), Self.flow(pairs))
        }
    }

    private mutating func writeTrackScripts(_ scripts: [TrackScriptConfig]) {
        section("track_scripts")
        for script in scripts {
            comment("track_scripts.\(script.name)", indent: 2)
            field(
                2, Self.name(script.name),
                Self.flow([
                    ("command", YAMLScalar.quoted(script.command)), ("interval", script.interval.configText),
                    ("timeout", script.timeout.configText), ("fall", "\(script.fall)"), ("rise", "\(script.rise)"),
                ]))
        }
    }

    private mutating func writeListeners(_ listeners: [ListenerConfig]) {
        section("listeners")
        let defaults = ListenerConfig(name: "", bind: SocketEndpoint(address: IPAddress("0.0.0.0")!, port: 1), pool: "")
        for listener in listeners {
            comment("listeners.\(listener.name)", indent: 2)
            lines.append("  \(Self.name(listener.name)):")
            field(4, "bind", Self.endpoint(listener.bind))
            field(4, "mode", listener.mode.rawValue)
            field(4, "pool", Self.name(listener.pool))
            field(4, "idle_timeout", listener.idleTimeout.configText)
            field(4, "connect_timeout", listener.connectTimeout.configText)
            if listener.maxConnections != defaults.maxConnections { field(4, "maxconn", "\(listener.maxConnections)") }
            if listener.retries != defaults.retries { field(4, "retries", "\(listener.retries)") }
            if listener.mode == .http { writeHTTPSettings(listener.http) }
        }
    }

    /// A listener's `http` block: `forwarded_for` always (haproxy's default is off, vipd's on), the
    /// other settings where they differ from vipd's defaults.
    private mutating func writeHTTPSettings(_ settings: HTTPListenerSettings) {
        let defaults = HTTPListenerSettings()
        lines.append("    http:")
        field(6, "forwarded_for", "\(settings.forwardedFor)")
        if settings.serverReuse != defaults.serverReuse { field(6, "server_reuse", settings.serverReuse.rawValue) }
        if settings.requestTimeout != defaults.requestTimeout { field(6, "request_timeout", settings.requestTimeout.configText) }
        if settings.serverTimeout != defaults.serverTimeout { field(6, "server_timeout", settings.serverTimeout.configText) }
        if let page = settings.sorryPage, page.isWholeResponse {
            field(6, "sorry_page", Self.flow([("response", YAMLScalar.plainOrQuoted(page.file))]))
        } else if let page = settings.sorryPage {
            var pairs = [
                ("file", YAMLScalar.plainOrQuoted(page.file)), ("status", "\(page.status)"),
                ("content_type", YAMLScalar.plainOrQuoted(page.contentType)),
            ]
            if !page.fields.isEmpty {
                pairs.append(("headers", Self.flow(page.fields.map { (YAMLScalar.plainOrQuoted($0.name), YAMLScalar.plainOrQuoted($0.value)) })))
            }
            field(6, "sorry_page", Self.flow(pairs))
        }
    }

    private mutating func writeStats(_ stats: StatsConfig) {
        section("stats")
        field(2, "bind", YAMLScalar.quoted(stats.bind.description))
        if let credentials = stats.credentials {
            field(
                2, "auth",
                Self.flow([
                    ("user", YAMLScalar.plainOrQuoted(credentials.user)),
                    ("password", YAMLScalar.plainOrQuoted(credentials.password)),
                ]))
        }
    }

    private static func endpoint(_ endpoint: SocketEndpoint) -> String {
        endpoint.address.family == .v6 ? "\"\(endpoint)\"" : endpoint.description
    }

    private mutating func writePools(_ pools: [PoolConfig], nodes: [ClusterNode]) {
        section("pools")
        for pool in pools {
            comment("pools.\(pool.name)", indent: 2)
            lines.append("  \(Self.name(pool.name)):")
            field(4, "balance", pool.balance.rawValue)
            if let port = Self.nodesPort(pool.servers, nodes: nodes) {
                field(4, "servers", "nodes:\(port)")
            } else {
                lines.append("    servers:")
                for server in pool.servers {
                    var pairs = [("name", Self.name(server.name)), ("address", Self.endpoint(server.endpoint))]
                    if server.weight != 1 { pairs.append(("weight", "\(server.weight)")) }
                    if server.backup { pairs.append(("backup", "true")) }
                    if !server.checked { pairs.append(("check", "false")) }
                    lines.append("      - " + Self.flow(pairs))
                }
            }
            writeCheck(pool.check)
        }
    }

    /// The port when the servers are exactly the cluster's nodes on one port, as `nodes:PORT` makes them.
    private static func nodesPort(_ servers: [ServerConfig], nodes: [ClusterNode]) -> Int? {
        guard let port = servers.first?.endpoint.port, !nodes.isEmpty else { return nil }
        let expanded = nodes.map { ServerConfig(name: $0.name, endpoint: SocketEndpoint(address: $0.address, port: port)) }
        return expanded == servers ? port : nil
    }

    private mutating func writeCheck(_ check: HealthCheckConfig) {
        lines.append("    check:")
        switch check.kind {
        case nil:
            field(6, "kind", "none")
            return
        case .tcp:
            field(6, "kind", "tcp")
        case .sshBanner(let pattern):
            field(6, "kind", "ssh-banner")
            field(6, "expect", YAMLScalar.quoted(pattern))
        case .http(let settings):
            field(6, "kind", "http")
            field(6, "method", settings.method)
            field(6, "path", YAMLScalar.plainOrQuoted(settings.path))
            if let host = settings.host { field(6, "host", YAMLScalar.plainOrQuoted(host)) }
            let statuses = settings.expectStatus.map(String.init)
            field(6, "expect_status", statuses.count == 1 ? statuses[0] : "[" + statuses.joined(separator: ", ") + "]")
        case .exec(let command):
            field(6, "kind", "exec")
            field(6, "command", YAMLScalar.quoted(command))
        }
        field(6, "interval", check.interval.configText)
        field(6, "timeout", check.timeout.configText)
        field(6, "fall", "\(check.fall)")
        field(6, "rise", "\(check.rise)")
    }
}
