import VipdCore

extension ConfigReader {
    /// The `vrrp` section: a mapping from instance name to its settings. Checks what VRRP itself
    /// cannot carry (VRID range, intervals per version, VRRPv2 with IPv6, one VRID twice on an
    /// interface) and the references to pools and `track_scripts`.
    func readVRRP(
        _ node: YAMLNode, path: String, nodes: [ClusterNode]?, poolNames: [String], scriptNames: [String]
    ) -> [VRRPInstanceConfig] {
        guard let entries = namedEntries(of: node, path: path, emptyMessage: "vrrp must list at least one instance")
        else { return [] }
        if nodes?.isEmpty ?? true {
            report(
                "vrrp needs a cluster section: cluster.nodes gives every node's address and priority",
                at: node, path: path)
        }
        var instances: [VRRPInstanceConfig] = []
        var groups: [String: String] = [:]
        for entry in entries {
            let instancePath = Self.join(path, entry.name)
            guard
                let instance = readVRRPInstance(
                    entry, path: instancePath, nodes: nodes ?? [], poolNames: poolNames, scriptNames: scriptNames)
            else { continue }
            let group = "\(instance.interface) \(instance.family) \(instance.virtualRouterID)"
            if let other = groups[group] {
                report(
                    "router_id \(instance.virtualRouterID) is already used on \(instance.interface) by instance \"\(other)\": one VRID per interface and address family",
                    at: entry.value.mapping?["router_id"] ?? entry.value, path: Self.join(instancePath, "router_id"))
                continue
            }
            groups[group] = instance.name
            instances.append(instance)
        }
        return instances
    }

    /// One `vrrp.NAME` entry.
    private func readVRRPInstance(
        _ entry: Entry, path: String, nodes: [ClusterNode], poolNames: [String], scriptNames: [String]
    ) -> VRRPInstanceConfig? {
        guard let fields = fields(of: entry.value, path: path, owner: entry.key.position, as: .vrrpInstance) else {
            return nil
        }
        let defaults = VRRPInstanceConfig(name: entry.name, interface: "", virtualRouterID: 1, virtualAddresses: [])
        let interface = required("interface", in: fields).flatMap { readInterfaceName($0, path: fields.path("interface")) }
        let vrid = required("router_id", in: fields).flatMap { readInt($0, path: fields.path("router_id"), range: 1...255) }
        let version: Int? =
            fields["version"].map { readInt($0, path: fields.path("version"), range: 2...3) } ?? defaults.version
        let interval: Duration? =
            fields["advert_interval"].map { readDuration($0, path: fields.path("advert_interval"), bareNumber: .keepalivedSeconds) }
            ?? defaults.advertisementInterval
        let preempt: Bool? = fields["preempt"].map { readBool($0, path: fields.path("preempt")) } ?? true
        let preemptDelay: Duration? =
            fields["preempt_delay"].map { readDuration($0, path: fields.path("preempt_delay"), allowZero: true, bareNumber: .keepalivedSeconds) } ?? .zero
        let unicast: Bool? = fields["unicast"].map { readBool($0, path: fields.path("unicast")) } ?? false
        let addresses = required("virtual_addresses", in: fields).flatMap {
            readVirtualAddresses($0, path: fields.path("virtual_addresses"), nodes: nodes)
        }
        let password: String?? = fields["authentication"].map { readAuthentication($0, path: fields.path("authentication")) } ?? .some(nil)
        let track: [TrackedObjectConfig]? =
            fields["track"].map {
                readTrack($0, path: fields.path("track"), poolNames: poolNames, scriptNames: scriptNames)
            } ?? []
        let garp: AnnouncementConfig? =
            fields["garp"].map { readAnnouncements($0, path: fields.path("garp")) } ?? AnnouncementConfig()
        let notify: NotifyConfig? = fields["notify"].map { readNotify($0, path: fields.path("notify")) } ?? NotifyConfig()
        let handoverTimeout: Duration?? =
            fields["handover_timeout"].map { readDuration($0, path: fields.path("handover_timeout")).map { .some($0) } }
            ?? .some(nil)

        var valid = true
        if let version, let interval, let node = fields["advert_interval"] ?? fields["version"] {
            if let problem = Self.intervalProblem(interval, version: version) {
                report(problem, at: node, path: fields.path(fields["advert_interval"] == nil ? "version" : "advert_interval"))
                valid = false
            }
        }
        if version == 2, let addresses, addresses.contains(where: { $0.address.family == .v6 }) {
            report(
                "VRRPv2 carries IPv4 only: use version: 3 for IPv6 virtual addresses",
                at: fields["version"] ?? fields["virtual_addresses"]!, path: fields.path("version"))
            valid = false
        }
        if version == 3, let passwordNode = fields["authentication"] {
            report(
                "authentication exists only in VRRPv2 (RFC 5798 removed it): drop it or use version: 2",
                at: passwordNode, path: fields.path("authentication"))
            valid = false
        }
        if unicast == true, let addresses, let family = addresses.first?.address.family,
            let stranger = nodes.first(where: { $0.address.family != family })
        {
            report(
                "unicast adverts go to the cluster.nodes addresses, but node \"\(stranger.name)\" (\(stranger.address)) is not of the virtual addresses' family",
                at: fields["unicast"]!, path: fields.path("unicast"))
            valid = false
        }
        guard valid, let interface, let vrid, let version, let interval, let preempt, let preemptDelay, let unicast,
            let addresses, let password, let track, let garp, let notify, let handoverTimeout
        else { return nil }
        return VRRPInstanceConfig(
            name: entry.name, interface: interface, virtualRouterID: vrid, version: version,
            advertisementInterval: interval, preempt: preempt, preemptDelay: preemptDelay, unicast: unicast,
            password: password, virtualAddresses: addresses, track: track, announcements: garp, notify: notify,
            handoverTimeout: handoverTimeout)
    }

    /// Why `interval` cannot travel in an advert of `version`, or nil when it can.
    static func intervalProblem(_ interval: Duration, version: Int) -> String? {
        let milliseconds = interval.wholeMilliseconds
        let exact = interval == .milliseconds(milliseconds)
        if version == 2 {
            guard exact, milliseconds % 1000 == 0, (1...255).contains(milliseconds / 1000) else {
                return "VRRPv2 carries the advert interval in whole seconds from 1s to 255s; use version: 3 for finer intervals"
            }
        } else {
            guard exact, milliseconds % 10 == 0, (1...4095).contains(milliseconds / 10) else {
                return "VRRPv3 carries the advert interval in steps of 10ms from 10ms to 40.95s"
            }
        }
        return nil
    }

    /// An interface name as the kernel allows it: 1 to 15 bytes, no `/`, `:` or white space.
    private func readInterfaceName(_ node: YAMLNode, path: String) -> String? {
        guard let name = readString(node, path: path) else { return nil }
        let valid =
            (1...15).contains(name.utf8.count) && name != "." && name != ".."
            && !name.unicodeScalars.contains { $0 == "/" || $0 == ":" || $0.properties.isWhitespace }
        if !valid {
            report("invalid interface name \"\(name)\": 1 to 15 characters without /, : or spaces", at: node, path: path)
            return nil
        }
        return name
    }

    /// `virtual_addresses`: a non-empty list of `ADDRESS/LENGTH` of one family, none of them a node's own address.
    private func readVirtualAddresses(_ node: YAMLNode, path: String, nodes: [ClusterNode]) -> [IPPrefix]? {
        guard case .sequence(let sequence) = node, !sequence.isEmpty else {
            reportType(expected: "a non-empty list of addresses like 192.168.2.232/24", got: node, path: path)
            return nil
        }
        var prefixes: [IPPrefix] = []
        var valid = true
        for (index, item) in sequence.enumerated() {
            let itemPath = "\(path)[\(index)]"
            guard let text = readString(item, path: itemPath) else {
                valid = false
                continue
            }
            guard let prefix = IPPrefix(parsing: text) else {
                report("invalid address \"\(text)\": use ADDRESS/LENGTH like 192.168.2.232/24 or 2001:db8::10/64", at: item, path: itemPath)
                valid = false
                continue
            }
            if let first = prefixes.first, first.address.family != prefix.address.family {
                report("one instance carries one address family: \(text) does not match \(first)", at: item, path: itemPath)
                valid = false
            } else if prefixes.contains(where: { $0.address == prefix.address }) {
                report("\(prefix.address) is listed twice", at: item, path: itemPath)
                valid = false
            } else if let owner = nodes.first(where: { $0.address == prefix.address }) {
                report(
                    "\(prefix.address) is the address of node \"\(owner.name)\": a virtual address must be one no node owns",
                    at: item, path: itemPath)
                valid = false
            }
            prefixes.append(prefix)
        }
        if prefixes.count > 255 {
            report("an advert carries at most 255 addresses", at: node, path: path)
            valid = false
        }
        return valid ? prefixes : nil
    }

    /// `authentication: { password: TEXT }` (VRRPv2 simple password, 1 to 8 bytes).
    private func readAuthentication(_ node: YAMLNode, path: String) -> String?? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .vrrpAuthentication),
            let passwordNode = required("password", in: fields),
            let password = readString(passwordNode, path: fields.path("password"))
        else { return nil }
        guard password.utf8.count <= 8 else {
            report("a VRRPv2 password has at most 8 bytes (keepalived cuts longer ones)", at: passwordNode, path: fields.path("password"))
            return nil
        }
        return .some(password)
    }

    /// `track: { interfaces, pools, scripts, files, processes }`, each a list of names (weight 0: FAULT
    /// while failing) or a mapping from name to weight -254...254.
    private func readTrack(_ node: YAMLNode, path: String, poolNames: [String], scriptNames: [String]) -> [TrackedObjectConfig]? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .vrrpTrack) else { return nil }
        var tracked: [TrackedObjectConfig] = []
        var valid = true
        let kinds: [(key: String, kind: TrackedObjectConfig.Kind, known: [String]?)] = [
            ("interfaces", .interface, nil), ("pools", .pool, poolNames), ("scripts", .script, scriptNames),
        ]
        for (key, kind, known) in kinds {
            guard let value = fields[key] else { continue }
            guard let objects = readWeightedNames(value, path: fields.path(key)) else {
                valid = false
                continue
            }
            for object in objects {
                if let known, !known.contains(object.name) {
                    let what = kind == .pool ? "pool" : "track_scripts entry"
                    let hint = closestMatch(to: object.name, among: known).map { " (did you mean \"\($0)\"?)" } ?? ""
                    report("no \(what) named \"\(object.name)\"\(hint)", at: object.node, path: Self.join(fields.path(key), object.name))
                    valid = false
                    continue
                }
                tracked.append(TrackedObjectConfig(kind: kind, name: object.name, weight: object.weight))
            }
        }
        for (key, read) in [("files", readTrackedFiles), ("processes", readTrackedProcesses)] {
            guard let value = fields[key] else { continue }
            guard let objects = read(value, fields.path(key)) else {
                valid = false
                continue
            }
            tracked += objects
        }
        return valid ? tracked : nil
    }

    /// A list of names (weight 0) or a mapping from name to weight.
    func readWeightedNames(_ node: YAMLNode, path: String) -> [(name: String, weight: Int, node: YAMLNode)]? {
        switch node {
        case .sequence(let sequence):
            var result: [(name: String, weight: Int, node: YAMLNode)] = []
            for (index, item) in sequence.enumerated() {
                guard let name = readString(item, path: "\(path)[\(index)]") else { return nil }
                result.append((name, 0, item))
            }
            return result
        case .mapping:
            guard let entries = entries(of: node, path: path) else { return nil }
            var result: [(name: String, weight: Int, node: YAMLNode)] = []
            for entry in entries {
                guard let weight = readInt(entry.value, path: Self.join(path, entry.name), range: -254...254) else {
                    return nil
                }
                result.append((entry.name, weight, entry.key))
            }
            return result
        default:
            reportType(expected: "a list of names or a mapping from name to weight", got: node, path: path)
            return nil
        }
    }

    /// `garp: { count, interval, repeat_after, refresh, refresh_count }`.
    private func readAnnouncements(_ node: YAMLNode, path: String) -> AnnouncementConfig? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .garp) else { return nil }
        let defaults = AnnouncementConfig()
        let count: Int? = fields["count"].map { readInt($0, path: fields.path("count"), range: 0...100) } ?? defaults.count
        let interval: Duration? =
            fields["interval"].map { readDuration($0, path: fields.path("interval"), allowZero: true, bareNumber: .keepalivedSeconds) } ?? defaults.interval
        let repeatAfter: Duration? =
            fields["repeat_after"].map { readDuration($0, path: fields.path("repeat_after"), allowZero: true, bareNumber: .keepalivedSeconds) }
            ?? defaults.repeatAfter
        let refresh: Duration?? = fields["refresh"].map { readRefresh($0, path: fields.path("refresh")).map { .some($0) } } ?? .some(nil)
        let refreshCount: Int? =
            fields["refresh_count"].map { readInt($0, path: fields.path("refresh_count"), range: 1...100) } ?? defaults.refreshCount
        guard let count, let interval, let repeatAfter, let refresh, let refreshCount else { return nil }
        return AnnouncementConfig(count: count, interval: interval, repeatAfter: repeatAfter, refresh: refresh, refreshCount: refreshCount)
    }

    /// `garp.refresh`: a duration of at least a second (keepalived counts it in whole seconds).
    private func readRefresh(_ node: YAMLNode, path: String) -> Duration? {
        guard let refresh = readDuration(node, path: path, bareNumber: .keepalivedSeconds) else { return nil }
        guard refresh >= .seconds(1) else {
            report("garp.refresh is at least 1s: it refreshes switches that forget, it is not a flood", at: node, path: path)
            return nil
        }
        return refresh
    }

    /// `notify: { master, backup, fault, stop, any }`: shell commands.
    private func readNotify(_ node: YAMLNode, path: String) -> NotifyConfig? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .notify) else { return nil }
        var commands: [String: String] = [:]
        var valid = true
        for entry in fields.entries {
            guard let command = readString(entry.value, path: fields.path(entry.name)) else {
                valid = false
                continue
            }
            commands[entry.name] = command
        }
        guard valid else { return nil }
        return NotifyConfig(
            master: commands["master"], backup: commands["backup"], fault: commands["fault"], stop: commands["stop"],
            any: commands["any"])
    }
}
