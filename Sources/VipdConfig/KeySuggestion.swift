/// The candidate closest to a misspelt word, for "did you mean" hints.
///
/// Compares case-insensitively with the Levenshtein distance and accepts a candidate only when the
/// distance is small for the word's length (1 for short words, up to 3 for long ones), so unrelated
/// words get no suggestion.
public func closestMatch(to word: String, among candidates: [String]) -> String? {
    let target = Array(word.lowercased().unicodeScalars)
    let threshold = max(1, min(3, target.count / 3))
    var best: (candidate: String, distance: Int)?
    for candidate in candidates {
        let distance = editDistance(target, Array(candidate.lowercased().unicodeScalars))
        if distance <= threshold, distance < best?.distance ?? .max {
            best = (candidate, distance)
        }
    }
    return best?.candidate
}

/// The Levenshtein distance between two scalar strings (insertions, deletions, substitutions).
func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    guard !a.isEmpty else { return b.count }
    guard !b.isEmpty else { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}

/// The words haproxy and keepalived users type for what vipd names otherwise, and vipd's word.
///
/// An entry applies where its `anchor` is an allowed key of the mapping, so `inter` becomes
/// `interval` inside a `check` and `check: { interval }` on a server or pool; `suggestion` is what
/// to write (the anchor itself when nil).
struct ForeignKeyWord: Sendable {
    /// The other tool: `haproxy` or `keepalived`.
    let tool: String
    /// The word as that tool spells it.
    let word: String
    /// The vipd key that marks the mapping where the word belongs.
    let anchor: String
    /// vipd's spelling when it is more than the anchor, e.g. `preempt: false`.
    let suggestion: String?

    init(_ tool: String, _ word: String, _ anchor: String, _ suggestion: String? = nil) {
        self.tool = tool
        self.word = word
        self.anchor = anchor
        self.suggestion = suggestion
    }

    /// `keepalived's "advert_int" is "advert_interval" in vipd`.
    var hint: String { "\(tool)'s \"\(word)\" is \(suggestion ?? "\"\(anchor)\"") in vipd" }

    static let table: [ForeignKeyWord] = [
        // keepalived.conf
        ForeignKeyWord("keepalived", "vrrp_instance", "vrrp"),
        ForeignKeyWord("keepalived", "vrrp_script", "track_scripts"),
        ForeignKeyWord("keepalived", "global_defs", "global"),
        ForeignKeyWord("keepalived", "advert_int", "advert_interval"),
        ForeignKeyWord("keepalived", "virtual_router_id", "router_id"),
        ForeignKeyWord("keepalived", "virtual_ipaddress", "virtual_addresses"),
        ForeignKeyWord("keepalived", "virtual_ipaddress_excluded", "virtual_addresses"),
        ForeignKeyWord("keepalived", "nopreempt", "preempt", "\"preempt: false\""),
        ForeignKeyWord("keepalived", "unicast_peer", "unicast", "\"unicast: true\" (the peers are the other cluster.nodes)"),
        ForeignKeyWord("keepalived", "unicast_src_ip", "unicast", "\"unicast: true\" (the source is this node's cluster.nodes address)"),
        ForeignKeyWord("keepalived", "priority", "router_id", "each node's cluster.nodes.NAME.priority"),
        ForeignKeyWord("keepalived", "state", "router_id", "not needed: the highest priority in cluster.nodes becomes master"),
        ForeignKeyWord("keepalived", "track_script", "track", "\"track: { scripts: [...] }\""),
        ForeignKeyWord("keepalived", "track_interface", "track", "\"track: { interfaces: [...] }\""),
        ForeignKeyWord("keepalived", "notify_master", "notify", "\"notify: { master: COMMAND }\""),
        ForeignKeyWord("keepalived", "notify_backup", "notify", "\"notify: { backup: COMMAND }\""),
        ForeignKeyWord("keepalived", "notify_fault", "notify", "\"notify: { fault: COMMAND }\""),
        ForeignKeyWord("keepalived", "notify_stop", "notify", "\"notify: { stop: COMMAND }\""),
        ForeignKeyWord("keepalived", "garp_master_delay", "garp", "\"garp: { repeat_after: DURATION }\""),
        ForeignKeyWord("keepalived", "garp_master_repeat", "garp", "\"garp: { count: N }\""),
        ForeignKeyWord("keepalived", "garp_interval", "garp", "\"garp: { interval: DURATION }\""),
        ForeignKeyWord("keepalived", "garp_master_refresh", "garp", "\"garp: { refresh: DURATION }\""),
        ForeignKeyWord("keepalived", "garp_master_refresh_repeat", "garp", "\"garp: { refresh_count: N }\""),
        ForeignKeyWord("keepalived", "auth_pass", "password"),
        ForeignKeyWord("keepalived", "auth_type", "password", "\"password\" alone (vipd speaks keepalived's PASS)"),
        ForeignKeyWord("keepalived", "script", "command"),
        ForeignKeyWord("keepalived", "weight", "command", "the weight in vrrp.NAME.track.scripts"),
        ForeignKeyWord("keepalived", "vrrp_sync_group", "sync_groups"),
        ForeignKeyWord("keepalived", "group", "instances"),
        ForeignKeyWord("keepalived", "sync_group_tracking_weight", "instances", "\"priority: lowest\""),
        ForeignKeyWord("keepalived", "track_file", "track", "\"track: { files: { PATH: WEIGHT } }\""),
        ForeignKeyWord("keepalived", "track_file", "vrrp", "\"track: { files: { PATH: WEIGHT } }\" in a vrrp instance"),
        ForeignKeyWord("keepalived", "vrrp_track_file", "vrrp", "\"track: { files: { PATH: WEIGHT } }\" in a vrrp instance"),
        ForeignKeyWord("keepalived", "track_process", "track", "\"track: { processes: { NAME: WEIGHT } }\""),
        ForeignKeyWord("keepalived", "vrrp_track_process", "vrrp", "\"track: { processes: { NAME: WEIGHT } }\" in a vrrp instance"),
        ForeignKeyWord("keepalived", "process", "name"),
        ForeignKeyWord("keepalived", "quorum", "min"),
        ForeignKeyWord("keepalived", "quorum_max", "max"),
        // haproxy.cfg
        ForeignKeyWord("haproxy", "frontend", "listeners"),
        ForeignKeyWord("haproxy", "listen", "listeners", "\"listeners\" and \"pools\""),
        ForeignKeyWord("haproxy", "backend", "pools"),
        ForeignKeyWord("haproxy", "default_backend", "pool"),
        ForeignKeyWord("haproxy", "use_backend", "pool"),
        ForeignKeyWord("haproxy", "backend", "pool"),
        ForeignKeyWord("haproxy", "timeout client", "idle_timeout"),
        ForeignKeyWord("haproxy", "timeout_client", "idle_timeout"),
        ForeignKeyWord("haproxy", "timeout server", "idle_timeout"),
        ForeignKeyWord("haproxy", "timeout_server", "idle_timeout"),
        ForeignKeyWord("haproxy", "timeout connect", "connect_timeout"),
        ForeignKeyWord("haproxy", "timeout_connect", "connect_timeout"),
        ForeignKeyWord("haproxy", "timeout http-request", "request_timeout"),
        ForeignKeyWord("haproxy", "timeout_http_request", "request_timeout"),
        ForeignKeyWord("haproxy", "timeout server", "server_timeout"),
        ForeignKeyWord("haproxy", "timeout_server", "server_timeout"),
        ForeignKeyWord("haproxy", "timeout check", "timeout"),
        ForeignKeyWord("haproxy", "timeout_check", "timeout"),
        ForeignKeyWord("haproxy", "http-reuse", "server_reuse"),
        ForeignKeyWord("haproxy", "http_reuse", "server_reuse"),
        ForeignKeyWord("haproxy", "option forwardfor", "forwarded_for"),
        ForeignKeyWord("haproxy", "forwardfor", "forwarded_for"),
        ForeignKeyWord("haproxy", "errorfile", "sorry_page"),
        ForeignKeyWord("haproxy", "server", "servers"),
        ForeignKeyWord("haproxy", "option httpchk", "check", "\"check: { kind: http }\""),
        ForeignKeyWord("haproxy", "httpchk", "check", "\"check: { kind: http }\""),
        ForeignKeyWord("haproxy", "inter", "interval"),
        ForeignKeyWord("haproxy", "fastinter", "interval"),
        ForeignKeyWord("haproxy", "downinter", "interval"),
        ForeignKeyWord("haproxy", "inter", "check", "\"check: { interval: DURATION }\" of the pool"),
        ForeignKeyWord("haproxy", "fall", "check", "\"check: { fall: N }\" of the pool"),
        ForeignKeyWord("haproxy", "rise", "check", "\"check: { rise: N }\" of the pool"),
        ForeignKeyWord("haproxy", "addr", "address"),
    ]

    /// The first entry for `word` whose anchor is among `allowed`, or nil.
    static func entry(for word: String, among allowed: [String]) -> ForeignKeyWord? {
        let typed = word.lowercased()
        return table.first { $0.word == typed && allowed.contains($0.anchor) }
    }
}

/// Why `word` is not a key where only `allowed` are, as the parenthesis after `unknown key "word"`:
/// vipd's word for a haproxy or keepalived word, else the closest allowed key ("did you mean"), else
/// the allowed keys.
func unknownKeyHint(for word: String, among allowed: [String]) -> String {
    if let foreign = ForeignKeyWord.entry(for: word, among: allowed) { return foreign.hint }
    if let suggestion = closestMatch(to: word, among: allowed) { return "did you mean \"\(suggestion)\"?" }
    return "allowed keys: \(allowed.joined(separator: ", "))"
}
