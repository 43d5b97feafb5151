import VipdConfig
import VipdCore

/// Translates haproxy.cfg into vipd listeners and pools (pure).
///
/// A frontend (or listen) becomes one listener per bound address, sending to the pool made of its
/// `default_backend` (or of the listen's own servers). Settings follow haproxy's `defaults`
/// inheritance. Every directive ends up in the ledger, carried or listed with the reason.
struct HAProxyTranslator {
    let config: HAProxyConfig
    var ledger: ImportLedger
    /// Reads a file the configuration names (the sorry page) as vipd will when it loads vipd.yaml.
    let readFile: (String) throws -> [UInt8]
    /// Directives overridden by a later or more specific one: carried silently unless used elsewhere.
    private var shadowed: Set<SourceLocation> = []
    private var result = HAProxyTranslation()

    init(config: HAProxyConfig, ledger: ImportLedger, readFile: @escaping (String) throws -> [UInt8]) {
        self.config = config
        self.ledger = ledger
        self.readFile = readFile
    }

    /// The listeners and pools of the file.
    mutating func translate() -> HAProxyTranslation {
        let proxies = readSections()
        var poolNames: [String: String] = [:]
        for proxy in proxies where proxy.kind != .frontend && !proxy.own("server").isEmpty {
            if let pool = translatePool(proxy) { poolNames[proxy.name] = pool }
        }
        let backends = Dictionary(proxies.filter { $0.kind == .backend }.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for proxy in proxies where proxy.kind != .backend {
            translateListeners(proxy, backends: backends, poolNames: poolNames)
        }
        for proxy in proxies where proxy.kind == .backend && !proxy.own("server").isEmpty {
            if let pool = poolNames[proxy.name], !result.listeners.contains(where: { $0.pool == pool }) {
                result.comments["pools.\(pool)", default: []].append("no frontend of \(config.file) sends to this backend")
            }
        }
        listLeftovers(proxies)
        return result
    }

    // MARK: Sections

    /// The proxies with their defaults; global and unknown sections go to the ledger at once.
    private mutating func readSections() -> [HAProxyProxy] {
        var proxies: [HAProxyProxy] = []
        var lastDefaults: HAProxySection?
        var namedDefaults: [String: HAProxySection] = [:]
        for section in config.sections {
            switch section.kind {
            case .global:
                ledger.carry(section.header.location)
                for directive in section.directives {
                    ledger.list(directive.location, directive.text, HAProxyKeywordReasons.global(directive))
                }
            case .defaults:
                ledger.carry(section.header.location)
                lastDefaults = section
                if let name = section.name { namedDefaults[name] = section }
            case .frontend, .backend, .listen:
                ledger.carry(section.header.location)
                let defaults = section.defaultsName.flatMap { namedDefaults[$0] } ?? lastDefaults
                proxies.append(HAProxyProxy(section: section, defaults: defaults))
            case .other(let keyword):
                ledger.list(
                    section.header.location, section.header.text,
                    "vipd has no \(keyword) section; its \(section.directives.count) line(s) are not read")
                section.directives.forEach { ledger.carry($0.location) }
            }
        }
        return proxies
    }

    /// The directive that sets `key` for `proxy` (see `HAProxyProxy.setting`); the ones it overrides are
    /// remembered as shadowed.
    mutating func resolve(_ key: String, of proxy: HAProxyProxy) -> HAProxyDirective? {
        let all = proxy.inherited(key) + proxy.own(key)
        all.dropLast().forEach { shadowed.insert($0.location) }
        return all.last
    }

    /// Whether `option NAME` is on for `proxy`, and the line that says so.
    mutating func option(_ name: String, of proxy: HAProxyProxy) -> HAProxyDirective? {
        guard let directive = resolve("option \(name)", of: proxy) else { return nil }
        if directive.keyword == "no" {
            ledger.carry(directive.location)
            return nil
        }
        return directive
    }

    /// A time setting of `proxy` (`timeout check`), carried; nil when unset or malformed (then listed).
    mutating func time(_ key: String, of proxy: HAProxyProxy) -> (Duration, HAProxyDirective)? {
        guard let directive = resolve(key, of: proxy) else { return nil }
        guard let text = directive.words.last, directive.words.count == 3, let value = HAProxyValues.time(text), value > .zero else {
            ledger.list(directive.location, directive.text, "not a haproxy time vipd can use (e.g. 2000, 2s, 1m)")
            return nil
        }
        ledger.carry(directive.location)
        return (value, directive)
    }

    /// An integer setting of `proxy` (`maxconn 3000`), carried; nil when unset or outside `range` (then listed).
    private mutating func integer(_ key: String, of proxy: HAProxyProxy, in range: ClosedRange<Int>) -> (Int, HAProxyDirective)? {
        guard let directive = resolve(key, of: proxy) else { return nil }
        guard directive.words.count == 2, let value = Int(directive.words[1]) else {
            ledger.list(directive.location, directive.text, "not a whole number")
            return nil
        }
        ledger.carry(directive.location)
        let clamped = min(max(value, range.lowerBound), range.upperBound)
        if clamped != value {
            ledger.remark(directive.location, directive.text, "vipd allows \(range.lowerBound) to \(range.upperBound); \(clamped) is used")
        }
        return (clamped, directive)
    }

    /// `mode` of `proxy`: `tcp` and `http` are carried; others are listed and read as tcp.
    private mutating func mode(of proxy: HAProxyProxy) -> ListenerMode {
        guard let mode = resolve("mode", of: proxy) else { return .tcp }
        guard mode.words.count == 2, let value = ListenerMode(rawValue: mode.words[1]) else {
            ledger.list(mode.location, mode.text, "vipd proxies mode tcp or mode http; the listener is mode: tcp")
            return .tcp
        }
        ledger.carry(mode.location)
        return value
    }

    // MARK: Pools

    /// The pool of a backend or listen with servers; nil (and listed) when no server can be carried.
    private mutating func translatePool(_ proxy: HAProxyProxy) -> String? {
        let name = ImportNames.unique(proxy.name, taken: result.pools.map(\.name))
        _ = mode(of: proxy)
        var defaultServer: HAProxyServerOptions?
        if let directive = resolve("default-server", of: proxy) {
            let options = HAProxyServerOptions(words: directive.arguments)
            ledger.carry(directive.location)
            remarkOptions(options, of: directive)
            defaultServer = options
        }
        var lines: [HAProxyServerLine] = []
        var servers: [ServerConfig] = []
        for directive in proxy.own("server") {
            guard let line = HAProxyServerLine(directive, defaultServer: defaultServer) else {
                ledger.list(directive.location, directive.text, "a server needs a name and an address")
                continue
            }
            switch line.endpoint {
            case .failure(let problem):
                ledger.list(directive.location, directive.text, "\(problem.text); the server is not carried")
            case .success(let endpoint):
                if let twin = servers.first(where: { $0.endpoint == endpoint || $0.name == line.name }) {
                    ledger.list(directive.location, directive.text, "server \(twin.name) has the same name or address; not carried")
                    continue
                }
                ledger.carry(directive.location)
                remarkOptions(line.ownOptions, of: directive)
                lines.append(line)
                servers.append(
                    ServerConfig(
                        name: line.name, endpoint: endpoint, weight: line.options.weight ?? 1,
                        backup: line.options.backup ?? false, checked: line.options.check ?? false))
                result.servers.append((line.name, endpoint.address, directive.location))
            }
        }
        guard !servers.isEmpty else {
            ledger.list(proxy.section.header.location, proxy.section.header.text, "no server vipd can use; the backend is not carried")
            return nil
        }
        let check = healthCheck(for: proxy, servers: Array(zip(lines, servers)))
        result.pools.append(PoolConfig(name: name, balance: balance(of: proxy), servers: servers, check: check))
        result.comments["pools.\(name)"] = ["\(proxy.section.header.location) \(proxy.section.header.text)"]
        return name
    }

    /// Remarks on server options vipd does not carry or could not read.
    private mutating func remarkOptions(_ options: HAProxyServerOptions, of directive: HAProxyDirective) {
        for word in options.uncarried {
            ledger.remark(directive.location, directive.text, "\"\(word)\" not carried: \(Self.serverOptionReason(word))")
        }
        for word in options.malformed {
            ledger.remark(directive.location, directive.text, "\"\(word)\" is not a value vipd can use; its default applies")
        }
    }

    private static func serverOptionReason(_ word: String) -> String {
        let option = word.split(separator: " ").first.map(String.init) ?? word
        switch option {
        case "fastinter", "downinter": return "vipd checks every server at the pool's one interval"
        case "disabled": return "vipd has no disabled servers; leave the server out of the pool instead"
        case "maxconn", "minconn", "maxqueue": return "vipd limits connections per listener (maxconn), not per server"
        case "ssl", "verify", "crt", "ca-file", "sni", "check-ssl", "alpn", "ciphers": return "vipd does not speak TLS to servers"
        case "send-proxy", "send-proxy-v2", "check-send-proxy": return "vipd does not send the PROXY protocol"
        case "cookie": return "vipd has no cookie persistence"
        default:
            let known = option.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
            return known ? "vipd has no such server option" : "not a server option (a note copied along with the file?); ignored"
        }
    }

    /// `balance`: roundrobin (also static-rr), leastconn, source; others fall back to roundrobin.
    private mutating func balance(of proxy: HAProxyProxy) -> BalanceAlgorithm {
        guard let directive = resolve("balance", of: proxy), directive.words.count >= 2 else { return .roundrobin }
        let word = directive.words[1]
        guard let algorithm = word == "static-rr" ? .roundrobin : BalanceAlgorithm(rawValue: word) else {
            ledger.list(directive.location, directive.text, "vipd balances roundrobin, leastconn or source; roundrobin is used")
            return .roundrobin
        }
        ledger.carry(directive.location)
        if directive.words.count > 2 {
            let extra = directive.words.dropFirst(2).joined(separator: " ")
            ledger.remark(directive.location, directive.text, "\"\(extra)\" not understood; ignored (balance \(algorithm.rawValue))")
        }
        return algorithm
    }

    // MARK: Listeners

    /// One listener per address a frontend or listen binds, sending to its pool.
    private mutating func translateListeners(_ proxy: HAProxyProxy, backends: [String: HAProxyProxy], poolNames: [String: String]) {
        let binds = proxy.own("bind")
        let target: (pool: String, backend: HAProxyProxy)?
        if proxy.kind == .listen, let pool = poolNames[proxy.name] {
            target = (pool, proxy)
        } else if let directive = resolve("default_backend", of: proxy) {
            if let name = directive.words.dropFirst().first, let backend = backends[name], let pool = poolNames[name] {
                ledger.carry(directive.location)
                target = (pool, backend)
            } else {
                let name = directive.words.dropFirst().first ?? ""
                let why = backends[name] == nil ? "there is no backend \(name)" : "backend \(name) could not be carried"
                ledger.list(directive.location, directive.text, why)
                target = nil
            }
        } else {
            target = nil
        }
        guard let target else {
            if proxy.own("stats").contains(where: { $0.arguments.first == "enable" || $0.arguments.first == "uri" }) {
                result.statsProxies.append(proxy)
                return
            }
            let why = "\(proxy.kind == .listen ? "listen" : "frontend") \(proxy.name) forwards nowhere vipd can: no listener"
            binds.forEach { ledger.list($0.location, $0.text, why) }
            return
        }
        let listenerMode = mode(of: proxy)
        let backendMode = target.backend.section.header.location == proxy.section.header.location ? listenerMode : mode(of: target.backend)
        if backendMode != listenerMode {
            ledger.remark(
                proxy.section.header.location, proxy.section.header.text,
                "mode \(listenerMode.rawValue) here but backend \(target.backend.name) is mode \(backendMode.rawValue): haproxy refuses that; the listener is mode: \(listenerMode.rawValue)")
        }
        var endpoints: [(SocketEndpoint, HAProxyDirective)] = []
        for bind in binds {
            let options = bind.words.dropFirst(2)
            if listenerMode == .http, options.contains("ssl") {
                ledger.list(
                    bind.location, bind.text,
                    "haproxy terminates TLS here and vipd does not: no listener (a mode: tcp listener would pass TLS to the servers unchanged)")
                continue
            }
            switch HAProxyValues.bindEndpoints(bind.words.dropFirst().first ?? "") {
            case .failure(let problem):
                ledger.list(bind.location, bind.text, "\(problem.text); no listener")
            case .success(let found):
                ledger.carry(bind.location)
                for option in options {
                    ledger.remark(bind.location, bind.text, "bind option \"\(option)\" not carried; vipd binds plain TCP")
                }
                if listenerMode == .http, found.contains(where: { $0.port == 443 }) {
                    ledger.remark(
                        bind.location, bind.text,
                        "port 443 in mode http without ssl: haproxy and vipd both expect plain HTTP here, so HTTPS clients fail")
                }
                endpoints += found.map { ($0, bind) }
            }
        }
        guard !endpoints.isEmpty else { return }
        var settings = listenerSettings(frontend: proxy, backend: target.backend)
        settings.mode = listenerMode
        if listenerMode == .http {
            settings.http = httpSettings(frontend: proxy, backend: target.backend)
        }
        for (endpoint, bind) in endpoints {
            let samePort = endpoints.filter { $0.0.port == endpoint.port }.count
            let base =
                endpoints.count == 1
                ? proxy.name
                : samePort == 1 ? "\(proxy.name)-\(endpoint.port)" : "\(proxy.name)-\(endpoint.address)-\(endpoint.port)"
            settings.name = ImportNames.unique(base, taken: result.listeners.map(\.name))
            settings.bind = endpoint
            settings.pool = target.pool
            result.listeners.append(settings)
            result.binds.append((endpoint.address, bind.location))
            result.comments["listeners.\(settings.name)"] = ["\(bind.location) \(proxy.section.header.text): \(bind.text)"]
        }
    }

    /// The timeouts and limits of a listener: the client side from the frontend, the server side from the backend.
    private mutating func listenerSettings(frontend: HAProxyProxy, backend: HAProxyProxy) -> ListenerConfig {
        var listener = ListenerConfig(
            name: frontend.name, bind: SocketEndpoint(address: IPAddress("0.0.0.0")!, port: 1), pool: "")
        let client = time("timeout client", of: frontend)
        let server = time("timeout server", of: backend)
        if let (tunnel, _) = time("timeout tunnel", of: backend) {
            listener.idleTimeout = tunnel
        } else if let client, let server {
            listener.idleTimeout = max(client.0, server.0)
            if client.0 != server.0 {
                let smaller = client.0 < server.0 ? client.1 : server.1
                ledger.remark(
                    smaller.location, smaller.text,
                    "vipd has one idle timeout for both directions: idle_timeout \(listener.idleTimeout.configText), the larger of timeout client and timeout server")
            }
        } else if let one = client ?? server {
            listener.idleTimeout = one.0
        } else {
            ledger.remark(
                frontend.section.header.location, frontend.section.header.text,
                "no timeout client or timeout server: haproxy waits forever, vipd closes a connection idle for \(listener.idleTimeout.configText) (idle_timeout)")
        }
        if let (connect, _) = time("timeout connect", of: backend) { listener.connectTimeout = connect }
        if let (maxconn, _) = integer("maxconn", of: frontend, in: 1...Int.max) { listener.maxConnections = maxconn }
        if let (retries, _) = integer("retries", of: backend, in: 0...10) { listener.retries = retries }
        if let redispatch = resolve("option redispatch", of: backend) {
            if redispatch.keyword == "no" {
                ledger.list(redispatch.location, redispatch.text, "vipd always tries the next server when a connect fails")
            } else {
                ledger.carry(redispatch.location)
            }
        }
        for key in ["option tcplog", "log"] {
            for proxy in [frontend, backend] {
                if let directive = resolve(key, of: proxy), directive.text == "option tcplog" || directive.text == "log global" {
                    ledger.carry(directive.location)
                }
            }
        }
        return listener
    }

    // MARK: Leftovers

    /// Lists what no translation used: the proxies' own directives (but the stats proxies', which
    /// `HAProxyStatsTranslator` accounts for), then unused defaults.
    private mutating func listLeftovers(_ proxies: [HAProxyProxy]) {
        let statsProxies = Set(result.statsProxies.map(\.section.header.location))
        for proxy in proxies where !statsProxies.contains(proxy.section.header.location) {
            for directive in proxy.section.directives where !ledger.isAccounted(directive.location) {
                if shadowed.contains(directive.location) {
                    ledger.carry(directive.location)
                } else {
                    ledger.list(directive.location, directive.text, Self.misplaced(directive, in: proxy.kind) ?? HAProxyKeywordReasons.proxy(directive))
                }
            }
        }
        let inherited = Set(proxies.compactMap { $0.defaults?.header.location })
        for section in config.sections where section.kind == .defaults {
            for directive in section.directives where !ledger.isAccounted(directive.location) {
                if shadowed.contains(directive.location) {
                    ledger.carry(directive.location)
                } else if !inherited.contains(section.header.location) {
                    ledger.list(directive.location, directive.text, "no frontend, backend or listen inherits this defaults section")
                } else if Self.translatedKeys.contains(HAProxyProxy.settingKey(directive)) {
                    ledger.list(directive.location, directive.text, "no frontend, backend or listen that inherits it uses it")
                } else {
                    ledger.list(directive.location, directive.text, HAProxyKeywordReasons.proxy(directive))
                }
            }
        }
    }

    /// The setting keys the translation reads.
    private static let translatedKeys: Set<String> = [
        "mode", "timeout client", "timeout server", "timeout connect", "timeout check", "timeout tunnel", "maxconn", "retries",
        "balance", "default-server", "option redispatch", "option httpchk", "option tcp-check", "option tcplog", "default_backend",
    ]

    /// Why haproxy itself ignores a directive in this kind of section, if it does.
    private static func misplaced(_ directive: HAProxyDirective, in kind: HAProxySectionKind) -> String? {
        let key = HAProxyProxy.settingKey(directive)
        let clientSide = ["timeout client", "maxconn", "bind", "default_backend", "use_backend"]
        let serverSide = [
            "timeout server", "timeout connect", "timeout check", "timeout tunnel", "retries", "balance", "server",
            "default-server", "option redispatch", "option httpchk", "option tcp-check", "http-check", "tcp-check",
        ]
        if kind == .backend, clientSide.contains(key) { return "haproxy ignores \(key) in a backend too; not carried" }
        if kind == .frontend, serverSide.contains(key) { return "haproxy ignores \(key) in a frontend too; not carried" }
        return nil
    }
}
