import VipdConfig
import VipdCore

/// Translates haproxy's stats page (a frontend or listen with `stats enable` or `stats uri` that
/// forwards nowhere) into vipd's `stats` section, once the cluster's nodes are known (pure).
///
/// The binds become `node:PORT` when they are exactly the nodes' addresses, or the one address
/// they name when every node has it (a wildcard or loopback) or when there is no cluster; the first
/// `stats auth` becomes `auth`. vipd has one stats listener: the first such proxy is carried, the
/// others are listed. Every directive of these proxies ends up in the ledger.
struct HAProxyStatsTranslator {
    let nodes: [ClusterNode]
    let listeners: [ListenerConfig]
    var ledger: ImportLedger

    /// What the translation gives: the section (nil when none could be carried) and the comment
    /// lines above it in vipd.yaml.
    struct Translation {
        var stats: StatsConfig?
        var comments: [String] = []
    }

    /// The `stats` section made of `proxies` (the stats proxies of haproxy.cfg, in file order).
    mutating func translate(_ proxies: [HAProxyProxy]) -> Translation {
        var translation = Translation()
        for proxy in proxies {
            if let carried = translation.stats {
                let why = "vipd has one stats listener, the one made of the first stats proxy (bind \(carried.bind))"
                for directive in proxy.own("bind") + proxy.own("stats") { ledger.list(directive.location, directive.text, why) }
            } else if let stats = translateProxy(proxy) {
                translation.stats = stats
                translation.comments = ["\(proxy.section.header.location) \(proxy.section.header.text): haproxy's stats page"]
            }
            listLeftovers(of: proxy)
        }
        return translation
    }

    // MARK: One proxy

    private mutating func translateProxy(_ proxy: HAProxyProxy) -> StatsConfig? {
        let binds = proxy.own("bind")
        switch bind(of: binds) {
        case .failure(let failure):
            binds.forEach { ledger.list($0.location, $0.text, failure.why) }
            for directive in proxy.section.directives {
                ledger.list(directive.location, directive.text, "no stats listener: its bind lines are not carried")
            }
            return nil
        case .success(let bind):
            binds.forEach { ledger.carry($0.location) }
            for directive in proxy.own("mode") { ledger.carry(directive.location) }
            return StatsConfig(bind: bind, credentials: translateStatsLines(proxy.own("stats")))
        }
    }

    /// Carries or lists each `stats` line; the credentials of the first valid `stats auth`.
    private mutating func translateStatsLines(_ directives: [HAProxyDirective]) -> StatsCredentials? {
        var credentials: StatsCredentials?
        for directive in directives {
            let word = directive.words.dropFirst().first ?? ""
            let argument = directive.words.dropFirst(2).first ?? ""
            switch word {
            case "enable":
                ledger.carry(directive.location)
            case "uri" where ["/", "/stats"].contains(argument):
                ledger.carry(directive.location)
            case "uri":
                ledger.list(directive.location, directive.text, "vipd serves its page at / and /stats, beside /stats.json and /metrics")
            case "auth":
                if let carried = credentials {
                    ledger.list(directive.location, directive.text, "vipd's stats listener has one user: \(carried.user) is carried")
                } else if let parsed = Self.credentials(argument) {
                    credentials = parsed
                    ledger.carry(directive.location)
                } else {
                    ledger.list(directive.location, directive.text, "not USER:PASSWORD with both non-empty; no auth carried from it")
                }
            case "refresh":
                ledger.list(directive.location, directive.text, "vipd's page redraws itself every second")
            case "realm":
                ledger.list(directive.location, directive.text, "vipd's realm is always \"vipd stats\"")
            case "admin":
                ledger.list(directive.location, directive.text, "vipd's page is read-only: change servers with vipd ctl drain, maint, ready and weight")
            default:
                ledger.list(directive.location, directive.text, "vipd's page always shows every node, pool and server, with no options")
            }
        }
        return credentials
    }

    /// `USER:PASSWORD` (split at the first colon, as haproxy does), both non-empty.
    private static func credentials(_ text: String) -> StatsCredentials? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let user = String(text[..<colon])
        let password = String(text[text.index(after: colon)...])
        return user.isEmpty || password.isEmpty ? nil : StatsCredentials(user: user, password: password)
    }

    // MARK: The bind

    /// vipd's bind for these haproxy binds, or why there is none.
    private mutating func bind(of binds: [HAProxyDirective]) -> Result<StatsBind, NoStatsBind> {
        var endpoints: [SocketEndpoint] = []
        for bind in binds {
            let options = bind.words.dropFirst(2)
            if options.contains("ssl") { return .failure(NoStatsBind(why: "vipd's stats listener is plain HTTP, and haproxy serves TLS here")) }
            switch HAProxyValues.bindEndpoints(bind.words.dropFirst().first ?? "") {
            case .failure(let problem): return .failure(NoStatsBind(why: "\(problem.text); no stats listener"))
            case .success(let found): endpoints += found
            }
            for option in options { ledger.remark(bind.location, bind.text, "bind option \"\(option)\" not carried") }
        }
        guard let port = endpoints.first?.port else { return .failure(NoStatsBind(why: "no bind: no stats listener")) }
        guard endpoints.allSatisfy({ $0.port == port }) else {
            return .failure(NoStatsBind(why: "binds on more than one port, and vipd's stats listener has one: add stats: { bind: \"node:\(port)\" }"))
        }
        let bind: StatsBind
        if !nodes.isEmpty, Set(endpoints.map(\.address)) == Set(nodes.map(\.address)) {
            bind = .node(port: port)
        } else if endpoints.count == 1, nodes.isEmpty || Self.isOnEveryNode(endpoints[0].address) {
            bind = .endpoint(endpoints[0])
        } else {
            let bound = endpoints.map(\.address.text).joined(separator: ", ")
            let nodeAddresses = nodes.isEmpty ? "there is no cluster" : "the nodes are " + nodes.map(\.address.text).joined(separator: ", ")
            return .failure(NoStatsBind(why: 
                "binds \(bound) and \(nodeAddresses); vipd binds one address per node: add stats: { bind: \"node:\(port)\" } for each node's own address"))
        }
        let bound = nodes.isEmpty ? [bind.endpoint(on: nil)].compactMap { $0 } : nodes.compactMap(bind.endpoint(on:))
        for endpoint in bound {
            if let listener = listeners.first(where: { $0.bind.conflicts(with: endpoint) }) {
                return .failure(NoStatsBind(why: "\(endpoint) is also listener \(listener.name)'s address: add stats: { bind: … } on another port"))
            }
        }
        return .success(bind)
    }

    /// Why the binds give no stats listener.
    private struct NoStatsBind: Error {
        var why: String
    }

    /// Whether every node has this address: a wildcard or loopback.
    private static func isOnEveryNode(_ address: IPAddress) -> Bool {
        address.isWildcard || address.text.hasPrefix("127.") || address.text == "::1"
    }

    // MARK: Leftovers

    /// Lists what the stats translation did not use: vipd's stats listener has bind and auth only.
    private mutating func listLeftovers(of proxy: HAProxyProxy) {
        for directive in proxy.section.directives where !ledger.isAccounted(directive.location) {
            ledger.list(directive.location, directive.text, "vipd's stats listener has only bind and auth; not carried")
        }
    }
}
