import VipdConfig
import VipdCore

extension HAProxyTranslator {
    /// The pool's health check: `option httpchk` + `http-check` rules → `http`; `option tcp-check` with
    /// `tcp-check expect string|rstring` → `ssh-banner`; otherwise `tcp` (haproxy's connect check), or
    /// `none` when no server has `check`. Timing comes from the servers' `inter`/`fall`/`rise` (one per
    /// pool in vipd) and `timeout check`.
    mutating func healthCheck(for proxy: HAProxyProxy, servers: [(line: HAProxyServerLine, config: ServerConfig)]) -> HealthCheckConfig {
        let checked = servers.filter { $0.config.checked }
        guard let first = checked.first else { return HealthCheckConfig(kind: nil) }
        let defaults = HealthCheckConfig()
        var check = HealthCheckConfig(
            kind: .tcp, interval: first.line.options.inter ?? defaults.interval, timeout: defaults.timeout,
            fall: first.line.options.fall ?? defaults.fall, rise: first.line.options.rise ?? defaults.rise)
        for server in checked.dropFirst() {
            let options = server.line.options
            let differences = [
                (options.inter ?? defaults.interval) != check.interval ? "inter \(check.interval.configText)" : nil,
                (options.fall ?? defaults.fall) != check.fall ? "fall \(check.fall)" : nil,
                (options.rise ?? defaults.rise) != check.rise ? "rise \(check.rise)" : nil,
            ].compactMap { $0 }
            if !differences.isEmpty {
                ledger.remark(
                    server.line.directive.location, server.line.directive.text,
                    "vipd checks every server of a pool alike: \(differences.joined(separator: ", ")) as for server \(first.config.name)")
            }
        }
        check.timeout = time("timeout check", of: proxy)?.0 ?? check.interval
        for server in checked {
            if let port = server.line.options.checkPort, port != server.config.endpoint.port {
                ledger.remark(
                    server.line.directive.location, server.line.directive.text,
                    "\"port \(port)\" not carried: vipd checks each server at its own address and port")
            }
        }
        let ports = Set(checked.map(\.config.endpoint.port))
        if let httpchk = option("httpchk", of: proxy) {
            check.kind = .http(httpCheck(httpchk, rules: proxy.rules("http-check"), ports: ports))
        } else if let tcpCheck = option("tcp-check", of: proxy) {
            ledger.carry(tcpCheck.location)
            check.kind = tcpCheckKind(rules: proxy.rules("tcp-check"), ports: ports)
        }
        return check
    }

    /// `option httpchk [METHOD] [URI] [VERSION]` with `http-check send` / `expect` rules.
    private mutating func httpCheck(_ httpchk: HAProxyDirective, rules: [HAProxyDirective], ports: Set<Int>) -> HTTPCheckSettings {
        ledger.carry(httpchk.location)
        var settings = HTTPCheckSettings()
        let arguments = Array(httpchk.arguments.dropFirst())
        switch arguments.count {
        case 0: break
        case 1: setPath(arguments[0], in: &settings, from: httpchk)
        default:
            setMethod(arguments[0], in: &settings, from: httpchk)
            setPath(arguments[1], in: &settings, from: httpchk)
            for header in arguments.dropFirst(2).joined(separator: " ").split(separator: "\r\n").dropFirst() {
                setHeader(String(header), in: &settings, from: httpchk)
            }
        }
        var sent = false
        var expected = false
        for rule in rules {
            let words = Array(rule.arguments)
            switch words.first {
            case "send" where !sent:
                sent = true
                ledger.carry(rule.location)
                var index = 1
                while index < words.count {
                    let word = words[index]
                    let value = index + 1 < words.count ? words[index + 1] : ""
                    switch word {
                    case "meth": setMethod(value, in: &settings, from: rule)
                    case "uri": setPath(value, in: &settings, from: rule)
                    case "ver": break
                    case "hdr" where index + 2 < words.count:
                        setHeader("\(value): \(words[index + 2])", in: &settings, from: rule)
                        index += 1
                    default: ledger.remark(rule.location, rule.text, "\"\(word) \(value)\" not carried: vipd sends a plain request")
                    }
                    index += 2
                }
            case "expect" where !expected:
                expected = true
                if words.count == 3, words[1] == "status", let statuses = Self.statuses(words[2]) {
                    ledger.carry(rule.location)
                    settings.expectStatus = statuses
                } else {
                    ledger.list(rule.location, rule.text, "vipd's http check expects a status or list of statuses (expect_status) and nothing else; 200 is expected")
                }
            case "connect":
                carryConnect(rule, ports: ports)
            case "comment":
                ledger.carry(rule.location)
            default:
                ledger.list(rule.location, rule.text, "vipd's http check sends one request and checks its status; not carried")
            }
        }
        if !expected {
            ledger.remark(
                httpchk.location, httpchk.text,
                "without http-check expect haproxy accepts any 2xx or 3xx status; vipd's check passes on \(settings.expectStatus.map(String.init).joined(separator: ", ")) only (add others to expect_status)")
        }
        return settings
    }

    private mutating func setMethod(_ method: String, in settings: inout HTTPCheckSettings, from directive: HAProxyDirective) {
        if !method.isEmpty, method.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) {
            settings.method = method
        } else {
            ledger.remark(directive.location, directive.text, "method \"\(method)\" not carried: vipd sends \(settings.method)")
        }
    }

    private mutating func setPath(_ path: String, in settings: inout HTTPCheckSettings, from directive: HAProxyDirective) {
        if path.hasPrefix("/"), !path.contains(where: \.isWhitespace) {
            settings.path = path
        } else {
            ledger.remark(directive.location, directive.text, "URI \"\(path)\" not carried: vipd requests a path starting with / (\(settings.path))")
        }
    }

    /// A `Name: value` request header: `Host` is carried, others are remarked.
    private mutating func setHeader(_ header: String, in settings: inout HTTPCheckSettings, from directive: HAProxyDirective) {
        let parts = header.split(separator: ":", maxSplits: 1)
        if parts.count == 2, parts[0].lowercased() == "host" {
            settings.host = String(parts[1].drop { $0 == " " || $0 == "\t" })
        } else if !header.isEmpty {
            ledger.remark(directive.location, directive.text, "header \"\(header)\" not carried: vipd sends Host only")
        }
    }

    /// `http-check connect` / `tcp-check connect [port N]`: vipd connects to the server's own port.
    private mutating func carryConnect(_ rule: HAProxyDirective, ports: Set<Int>) {
        ledger.carry(rule.location)
        var words = Array(rule.arguments.dropFirst())
        if words.count >= 2, words[0] == "port" {
            if Int(words[1]).map({ ports != [$0] }) ?? true {
                ledger.remark(rule.location, rule.text, "\"port \(words[1])\" not carried: vipd checks each server at its own port")
            }
            words.removeFirst(2)
        }
        for word in words {
            ledger.remark(rule.location, rule.text, "\"\(word)\" not carried: vipd's check connects plain TCP")
        }
    }

    /// `tcp-check` rules: one `expect string|rstring` before any `send` makes an `ssh-banner` check
    /// (the first line must match); anything else leaves a `tcp` check.
    private mutating func tcpCheckKind(rules: [HAProxyDirective], ports: Set<Int>) -> HealthCheckKind {
        var pattern: String?
        var sent = false
        for rule in rules {
            let words = Array(rule.arguments)
            switch words.first {
            case "connect":
                carryConnect(rule, ports: ports)
            case "comment":
                ledger.carry(rule.location)
            case "expect" where pattern == nil && !sent && words.count == 3 && (words[1] == "string" || words[1] == "rstring"):
                ledger.carry(rule.location)
                pattern = words[1] == "rstring" ? words[2] : Self.escapedForRegex(words[2])
            case "expect":
                ledger.list(rule.location, rule.text, "vipd's banner check matches one pattern on the first line the server sends; not carried")
            case "send", "send-lf", "send-binary", "send-binary-lf":
                sent = true
                ledger.list(rule.location, rule.text, "vipd's checks send nothing; not carried")
            default:
                ledger.list(rule.location, rule.text, "vipd has no such tcp-check rule; not carried")
            }
        }
        return pattern.map { .sshBanner(pattern: $0) } ?? .tcp
    }

    /// `200`, `200-399`, `200,204`: the statuses, each 100–599; nil when malformed.
    static func statuses(_ text: String) -> [Int]? {
        var statuses: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), let low = bounds.first ?? nil, let high = bounds.last ?? nil,
                100 <= low, low <= high, high <= 599
            else { return nil }
            statuses += Array(low...high)
        }
        return statuses.isEmpty ? nil : statuses
    }

    /// A literal string as a regular expression matching it.
    static func escapedForRegex(_ text: String) -> String {
        String(text.flatMap { "\\^$.|?*+()[]{}".contains($0) ? ["\\", $0] : [$0] })
    }
}
