/// The mappings of vipd.yaml whose keys are fixed, such as a pool's `check`, each with every key the
/// configuration reader accepts in it: the one declaration of the keys of the file.
///
/// The reader reads each such mapping as one of these cases, so it accepts no key that is not
/// listed here, and docs/configuration.md documents each case in a section named after its `path`
/// (a test checks it both ways). Where the keys that apply depend on another value (a check's
/// options on its `kind`, `http` on the listener's `mode`, a sorry page's `response` against its
/// other keys), the case lists them all and the reader reports the ones that do not apply.
public enum ConfigMapping: String, CaseIterable, Sendable {
    /// The whole file.
    case topLevel = ""
    /// `cluster`.
    case cluster = "cluster"
    /// One node of `cluster.nodes`.
    case clusterNode = "cluster.nodes.NAME"
    /// `global`.
    case global = "global"
    /// One listener.
    case listener = "listeners.NAME"
    /// A `mode: http` listener's `http` block.
    case httpListener = "listeners.NAME.http"
    /// The sorry page of an HTTP listener: a page or a whole `response`.
    case sorryPage = "listeners.NAME.http.sorry_page"
    /// One pool.
    case pool = "pools.NAME"
    /// One server of a pool's `servers` list.
    case server = "pools.NAME.servers[N]"
    /// A pool's health check.
    case healthCheck = "pools.NAME.check"
    /// One VRRP instance.
    case vrrpInstance = "vrrp.NAME"
    /// A VRRPv2 instance's `authentication`.
    case vrrpAuthentication = "vrrp.NAME.authentication"
    /// What a VRRP instance tracks.
    case vrrpTrack = "vrrp.NAME.track"
    /// One process of `track.processes` in its mapping form.
    case trackProcess = "vrrp.NAME.track.processes[N]"
    /// A VRRP instance's gratuitous ARP and unsolicited neighbour advertisements.
    case garp = "vrrp.NAME.garp"
    /// A VRRP instance's commands on state changes.
    case notify = "vrrp.NAME.notify"
    /// One of `track_scripts`.
    case trackScript = "track_scripts.NAME"
    /// One of `sync_groups`.
    case syncGroup = "sync_groups.NAME"
    /// `stats`.
    case stats = "stats"
    /// The stats listener's `auth`.
    case statsAuth = "stats.auth"

    /// Where the mapping is, as a key path with `NAME` for a name the admin chooses and `[N]` for a
    /// list position: `pools.NAME.check`, `pools.NAME.servers[N]`; empty for the top level.
    public var path: String { rawValue }

    /// The keys accepted, in the order an "unknown key" error lists them.
    public var keys: [String] {
        switch self {
        case .topLevel: ["cluster", "global", "vrrp", "sync_groups", "track_scripts", "listeners", "pools", "stats"]
        case .cluster: ["nodes"]
        case .clusterNode: ["address", "address6", "priority"]
        case .global: ["drain_timeout", "session_drain_limit", "log_level", "control_socket"]
        case .listener: ["bind", "mode", "pool", "idle_timeout", "connect_timeout", "maxconn", "retries", "http"]
        case .httpListener:
            [
                "forwarded_for", "forwarded_proto", "forwarded", "sorry_page", "max_header_bytes", "max_headers",
                "max_body_bytes", "request_timeout", "server_timeout", "server_reuse", "server_idle_timeout",
            ]
        case .sorryPage: ["file", "status", "content_type", "headers", "response"]
        case .pool: ["balance", "servers", "check", "transparent"]
        case .server: ["name", "address", "weight", "backup", "check"]
        case .healthCheck:
            ["kind", "interval", "timeout", "fall", "rise", "expect", "method", "path", "host", "expect_status", "command"]
        case .vrrpInstance:
            [
                "interface", "router_id", "version", "advert_interval", "preempt", "preempt_delay", "unicast",
                "authentication", "virtual_addresses", "track", "garp", "notify", "handover_timeout",
            ]
        case .vrrpAuthentication: ["password"]
        case .vrrpTrack: ["interfaces", "pools", "scripts", "files", "processes"]
        case .trackProcess: ["name", "weight", "min", "max"]
        case .garp: ["count", "interval", "repeat_after", "refresh", "refresh_count"]
        case .notify: ["master", "backup", "fault", "stop", "any"]
        case .trackScript: ["command", "interval", "timeout", "fall", "rise"]
        case .syncGroup: ["instances", "priority"]
        case .stats: ["bind", "auth", "peers"]
        case .statsAuth: ["user", "password"]
        }
    }

    /// Whether `keyPath`, the key path of a mapping in a file such as `pools.web.servers[1]`, is one
    /// of this one's. A name may contain dots, so `NAME` stands for one or more parts of `keyPath`.
    func matches(_ keyPath: String) -> Bool {
        func parts(_ text: String) -> ArraySlice<Substring> {
            text.split(separator: ".", omittingEmptySubsequences: false)[...]
        }
        return Self.match(parts(path), parts(keyPath))
    }

    private static func match(_ pattern: ArraySlice<Substring>, _ parts: ArraySlice<Substring>) -> Bool {
        guard let first = pattern.first else { return parts.isEmpty }
        if first == "NAME" {
            return parts.indices.contains { last in
                parts[...last].allSatisfy(isNamePart) && match(pattern.dropFirst(), parts[(last + 1)...])
            }
        }
        guard let part = parts.first, matchesPart(first, part) else { return false }
        return match(pattern.dropFirst(), parts.dropFirst())
    }

    /// Letters, digits, `_` and `-`: what a name has between its dots.
    private static func isNamePart(_ part: Substring) -> Bool {
        part.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-"
        }
    }

    /// `servers[N]` matches `servers[0]`, `servers[12]`…; any other part only itself.
    private static func matchesPart(_ pattern: Substring, _ part: Substring) -> Bool {
        guard pattern.hasSuffix("[N]") else { return pattern == part }
        let stem = pattern.dropLast(2)
        guard part.hasPrefix(stem), part.hasSuffix("]") else { return false }
        let index = part.dropFirst(stem.count).dropLast()
        return !index.isEmpty && index.allSatisfy { ("0"..."9").contains($0) }
    }
}
