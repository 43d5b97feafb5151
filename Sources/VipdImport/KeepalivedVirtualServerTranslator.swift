import VipdConfig
import VipdCore

/// One keepalived `virtual_server ADDRESS PORT` as vipd carries it: a `mode: tcp` listener on the
/// address and port (LVS balances layer 4) and the pool it sends to. The names are provisional
/// (`vs-ADDRESS-PORT`) until `KeepalivedVirtualServers` makes them unique.
struct KeepalivedVirtualServer {
    var listener: ListenerConfig
    var pool: PoolConfig
    /// The `virtual_server` statement.
    var statement: KeepalivedStatement
    /// Comment lines for the pool in vipd.yaml.
    var poolComments: [String] = []
}

/// Translates the `virtual_server` and `virtual_server_group` statements of one keepalived.conf
/// (pure). Every statement inside ends up in the ledger: carried, remarked when its meaning
/// changes, or listed with the reason.
struct KeepalivedVirtualServerTranslator {
    let config: KeepalivedConfig
    var ledger: ImportLedger

    init(config: KeepalivedConfig, ledger: ImportLedger) {
        self.config = config
        self.ledger = ledger
    }

    /// The virtual servers vipd can carry, in file order.
    mutating func translate() -> [KeepalivedVirtualServer] {
        var result: [KeepalivedVirtualServer] = []
        for statement in config.statements {
            switch statement.keyword {
            case "virtual_server":
                if let server = read(statement) { result.append(server) }
            case "virtual_server_group":
                drop(
                    statement,
                    "vipd has no virtual server groups: write one virtual_server ADDRESS PORT per address and port of the group (each becomes a listener)")
            default: continue
            }
        }
        return result
    }

    /// Lists `statement` with `reason` and accounts for everything inside it.
    private mutating func drop(_ statement: KeepalivedStatement, _ reason: String) {
        ledger.list(statement.location, statement.text, "\(reason); not carried")
        KeepalivedRealServerCheck.accountChildren(of: statement, ledger: &ledger)
    }

    /// `ADDRESS [PORT]` of a virtual, real or sorry server: the endpoint, the port defaulting to
    /// `defaultPort`; nil when malformed.
    private static func endpoint(_ words: ArraySlice<String>, defaultPort: Int?) -> SocketEndpoint? {
        guard let first = words.first, let address = IPAddress(first) else { return nil }
        let port = words.dropFirst().first.map { Int($0) } ?? defaultPort
        guard let port, (1...65535).contains(port) else { return nil }
        return SocketEndpoint(address: address, port: port)
    }

    // MARK: virtual_server

    private mutating func read(_ statement: KeepalivedStatement) -> KeepalivedVirtualServer? {
        let words = statement.words
        switch words.dropFirst().first {
        case "group":
            drop(
                statement,
                "vipd has no virtual server groups: write one virtual_server ADDRESS PORT per address and port of the group (each becomes a listener)")
            return nil
        case "fwmark":
            drop(
                statement,
                "vipd listens on an address and port, not on a firewall mark: write one virtual_server ADDRESS PORT per service the mark selects")
            return nil
        default: break
        }
        guard words.count >= 2, IPAddress(words[1]) != nil else {
            drop(statement, "expected virtual_server ADDRESS PORT")
            return nil
        }
        guard words.count >= 3 else {
            drop(
                statement,
                "no port: keepalived forwards every port of a persistent service, vipd listens on one port per listener: write one virtual_server ADDRESS PORT per port")
            return nil
        }
        guard let endpoint = Self.endpoint(words.dropFirst(), defaultPort: nil) else {
            drop(statement, "expected virtual_server ADDRESS PORT with a port 1-65535")
            return nil
        }
        ledger.remarkExtraWords(statement, after: 3)
        let block = statement.block ?? []
        if let protocolLine = block.first(where: { $0.keyword == "protocol" }), protocolLine.arguments.first?.uppercased() != "TCP" {
            drop(statement, "\(protocolLine.text) at \(protocolLine.location): vipd proxies TCP only")
            return nil
        }
        var timing = KeepalivedCheckTiming()
        var scheduler: KeepalivedStatement?
        var persistence: KeepalivedStatement?
        var sorry: KeepalivedStatement?
        var realServers: [KeepalivedStatement] = []
        var host: String?
        var defaultWeight = 1
        for child in block {
            if timing.read(child, ledger: &ledger) { continue }
            switch child.keyword {
            case "lvs_sched", "lb_algo": scheduler = child
            case "persistence_timeout": persistence = child
            case "protocol": ledger.carry(child.location)
            case "real_server": realServers.append(child)
            case "sorry_server": sorry = child
            case "virtualhost": host = ledger.argument(of: child, "a host name") { $0 } ?? host
            case "weight":
                defaultWeight = ledger.argument(of: child, "a weight 1-65535", KeepalivedTranslator.integer(in: 1...65535)) ?? defaultWeight
            case "inhibit_on_failure": carryInhibit(child)
            default:
                ledger.list(child.location, child.text, KeepalivedLVSKeywordReasons.virtualServer(child))
                KeepalivedRealServerCheck.accountChildren(of: child, ledger: &ledger)
            }
        }
        let virtualDelayLoop = timing.delayLoop ?? KeepalivedCheckTiming.defaults(for: "").delayLoop!
        var servers: [(config: ServerConfig, check: KeepalivedRealServerCheck?)] = []
        for realServer in realServers {
            guard let server = readRealServer(
                realServer, virtualEndpoint: endpoint, timing: timing, virtualDelayLoop: virtualDelayLoop, host: host,
                defaultWeight: defaultWeight, taken: servers.map(\.config.endpoint))
            else { continue }
            servers.append(server)
        }
        var configs = Self.named(servers.map(\.config))
        if let sorry, let backup = readSorryServer(sorry, virtualEndpoint: endpoint, taken: configs) { configs.append(backup) }
        guard !configs.isEmpty else {
            ledger.list(statement.location, statement.text, "no real_server vipd can carry; the virtual server is not carried")
            return nil
        }
        ledger.carry(statement.location)
        let name = "vs-\(endpoint.address.text)-\(endpoint.port)"
        var comments = ["\(statement.location) \(statement.text)"]
        let balance = balance(scheduler: scheduler, persistence: persistence, weights: servers.map(\.config.weight))
        if scheduler == nil && persistence == nil { comments.append("balance: leastconn for keepalived's default scheduler, wlc") }
        let check = poolCheck(servers, configs: &configs)
        let pool = PoolConfig(name: name, balance: balance, servers: configs, check: check)
        let listener = ListenerConfig(name: name, bind: endpoint, mode: .tcp, pool: name)
        return KeepalivedVirtualServer(listener: listener, pool: pool, statement: statement, poolComments: comments)
    }

    /// `inhibit_on_failure [BOOL]`: carried as what vipd does for every server anyway.
    private mutating func carryInhibit(_ statement: KeepalivedStatement) {
        ledger.carry(statement.location)
        ledger.remark(
            statement.location, statement.text,
            "what vipd does for every server that goes DOWN: it gets no new connections and its established connections continue")
    }

    /// `lvs_sched` (or `lb_algo`), overridden by `persistence_timeout`: vipd's nearest balance.
    private mutating func balance(scheduler: KeepalivedStatement?, persistence: KeepalivedStatement?, weights: [Int]) -> BalanceAlgorithm {
        let name = scheduler?.arguments.first ?? "wlc"
        if let persistence {
            ledger.carry(persistence.location)
            let seconds = persistence.arguments.first ?? "360"
            ledger.remark(
                persistence.location, persistence.text,
                "balance: source instead: keepalived keeps a client on the server it reached for \(seconds) s after its last connection; vipd hashes the client's address, so a client stays on its server with no time limit while the servers up do not change, and moves when one goes down or comes back")
            if let scheduler {
                ledger.carry(scheduler.location)
                ledger.remark(scheduler.location, scheduler.text, "not used: persistence_timeout makes the pool balance: source")
            }
            return .source
        }
        let weighted = Set(weights).count > 1
        let algorithm: BalanceAlgorithm
        var remark: String?
        switch name {
        case "rr":
            algorithm = .roundrobin
            if weighted { remark = "LVS rr ignores the weights; vipd's roundrobin shares connections by weight (balance: roundrobin)" }
        case "wrr": algorithm = .roundrobin
        case "lc":
            algorithm = .leastconn
            if weighted { remark = "LVS lc ignores the weights; vipd's leastconn counts connections per weight (balance: leastconn)" }
        case "wlc": algorithm = .leastconn
        case "sh": algorithm = .source
        case "sed", "nq":
            algorithm = .leastconn
            remark = "vipd's leastconn (fewest active connections per weight) is the nearest: balance: leastconn"
        case "mh":
            algorithm = .source
            remark = "vipd's source hash is the nearest (a client stays on its server while the servers up do not change): balance: source"
        default:
            if let scheduler {
                ledger.list(scheduler.location, scheduler.text, "vipd balances roundrobin, leastconn or source; roundrobin is used")
            }
            return .roundrobin
        }
        if let scheduler {
            ledger.carry(scheduler.location)
            ledger.remarkExtraWords(scheduler, after: 2)
            if let remark { ledger.remark(scheduler.location, scheduler.text, remark) }
        }
        return algorithm
    }

    /// The pool's check: the first checked server's. Every server checked otherwise is remarked (vipd
    /// checks a pool's servers alike); servers without a checker are `check: false` (keepalived
    /// counts them up).
    private mutating func poolCheck(
        _ servers: [(config: ServerConfig, check: KeepalivedRealServerCheck?)], configs: inout [ServerConfig]
    ) -> HealthCheckConfig {
        guard let firstIndex = servers.firstIndex(where: { $0.check != nil }), let first = servers[firstIndex].check else {
            return HealthCheckConfig(kind: nil)
        }
        let firstServer = configs[firstIndex].name
        for (index, server) in servers.enumerated() {
            guard let check = server.check else {
                configs[index].checked = false
                continue
            }
            if check.check != first.check {
                ledger.remark(
                    check.checker.location, check.checker.text,
                    "vipd checks every server of a pool alike: this server is checked as \(firstServer) is (\(first.checker.keyword) at \(first.checker.location))")
            }
        }
        if first.retry > 0, first.delayBeforeRetry != first.check.interval {
            let retries = first.retry == 1 ? "once, \(first.delayBeforeRetry.configText) later" : "\(first.retry) times, \(first.delayBeforeRetry.configText) apart"
            let keepalived = first.check.interval + first.delayBeforeRetry * first.retry
            let vipd = first.check.interval * first.check.fall
            ledger.remark(
                first.checker.location, first.checker.text,
                "keepalived retries a failed check \(retries) (delay_before_retry), so a server is out within about \(keepalived.configText) (delay_loop + retry × delay_before_retry); vipd has no retry delay of its own: fall \(first.check.fall) failed checks interval \(first.check.interval.configText) apart take it out within about \(vipd.configText); lower interval to find a failure sooner")
        }
        return first.check
    }

    // MARK: real_server and sorry_server

    private mutating func readRealServer(
        _ statement: KeepalivedStatement, virtualEndpoint: SocketEndpoint, timing virtualTiming: KeepalivedCheckTiming,
        virtualDelayLoop: Duration, host virtualHost: String?, defaultWeight: Int, taken: [SocketEndpoint]
    ) -> (config: ServerConfig, check: KeepalivedRealServerCheck?)? {
        guard let endpoint = Self.endpoint(statement.arguments, defaultPort: virtualEndpoint.port),
            endpoint.address.family == virtualEndpoint.address.family
        else {
            drop(statement, "expected real_server ADDRESS [PORT] of the virtual server's address family")
            return nil
        }
        guard !taken.contains(endpoint) else {
            drop(statement, "the virtual server has a real_server at \(endpoint) already")
            return nil
        }
        ledger.remarkExtraWords(statement, after: 3)
        var timing = KeepalivedCheckTiming()
        var weight = defaultWeight
        var host: String?
        let block = statement.block ?? []
        for child in block where !KeepalivedRealServerCheck.checkers.contains(child.keyword) {
            if timing.read(child, ledger: &ledger) { continue }
            switch child.keyword {
            case "weight":
                weight = ledger.argument(of: child, "a weight 0-65535", KeepalivedTranslator.integer(in: 0...65535)) ?? weight
                if weight > 256 {
                    ledger.remark(child.location, child.text, "vipd's weights go up to 256: weight 256")
                    weight = 256
                } else if weight == 0 {
                    ledger.remark(
                        child.location, child.text,
                        "LVS sends a weight 0 server no new connections; vipd gives it connections when no other server is up")
                }
            case "inhibit_on_failure":
                if ["no", "false", "off"].contains(child.arguments.first?.lowercased() ?? "") {
                    ledger.carry(child.location)
                } else {
                    carryInhibit(child)
                }
            case "virtualhost": host = ledger.argument(of: child, "a host name") { $0 } ?? host
            default:
                ledger.list(child.location, child.text, KeepalivedLVSKeywordReasons.realServer(child))
                KeepalivedRealServerCheck.accountChildren(of: child, ledger: &ledger)
            }
        }
        let check = KeepalivedRealServerCheck.read(
            block, endpoint: endpoint, inherited: timing.over(virtualTiming), virtualDelayLoop: virtualDelayLoop,
            host: host ?? virtualHost, ledger: &ledger)
        ledger.carry(statement.location)
        return (ServerConfig(name: "", endpoint: endpoint, weight: weight), check)
    }

    /// `sorry_server ADDRESS [PORT]`: a backup server, unchecked as keepalived leaves it.
    private mutating func readSorryServer(_ statement: KeepalivedStatement, virtualEndpoint: SocketEndpoint, taken: [ServerConfig]) -> ServerConfig? {
        guard let endpoint = Self.endpoint(statement.arguments, defaultPort: virtualEndpoint.port),
            endpoint.address.family == virtualEndpoint.address.family, !taken.contains(where: { $0.endpoint == endpoint })
        else {
            drop(statement, "expected sorry_server ADDRESS [PORT] of the virtual server's address family, other than the real servers")
            return nil
        }
        ledger.carry(statement.location)
        ledger.remarkExtraWords(statement, after: 3)
        return ServerConfig(
            name: ImportNames.unique("sorry", taken: taken.map(\.name)), endpoint: endpoint, backup: true, checked: false)
    }

    /// The servers named after their address, with the port when two share an address.
    private static func named(_ servers: [ServerConfig]) -> [ServerConfig] {
        var named: [ServerConfig] = []
        for var server in servers {
            let shared = servers.filter { $0.endpoint.address == server.endpoint.address }.count > 1
            let base = shared ? "\(server.endpoint.address.text)-\(server.endpoint.port)" : server.endpoint.address.text
            server.name = ImportNames.unique(base, taken: named.map(\.name))
            named.append(server)
        }
        return named
    }
}
