import VipdConfig
import VipdCore

/// The health check of one keepalived `real_server`, as vipd runs it: the first checker vipd can
/// carry (`HTTP_GET` → `http`, `TCP_CHECK` → `tcp`, `MISC_CHECK` → `exec`; `SSL_GET` and
/// `SMTP_CHECK` → `tcp`, vipd's checks speaking neither TLS nor SMTP) with keepalived's timing:
/// `interval` = `delay_loop`, `timeout` = `connect_timeout` (`misc_timeout` for MISC_CHECK, else the
/// virtual server's `delay_loop`), `fall` = `retry` + 1, `rise` = 1.
struct KeepalivedRealServerCheck {
    var check: HealthCheckConfig
    /// The checker's keyword (`HTTP_GET`) and line.
    var checker: KeepalivedStatement
    /// keepalived's resolved `retry` and `delay_before_retry`, which vipd's one interval replaces.
    var retry: Int
    var delayBeforeRetry: Duration

    /// The checkers vipd carries.
    static let carried: Set<String> = ["HTTP_GET", "SSL_GET", "TCP_CHECK", "SMTP_CHECK", "MISC_CHECK"]
    /// Every checker keepalived knows.
    static let checkers: Set<String> = carried.union(["DNS_CHECK", "UDP_CHECK", "PING_CHECK", "BFD_CHECK", "FILE_CHECK"])

    /// Reads the checkers among `statements` (a real server's block): the first carried one is the
    /// server's check, every other checker is listed. Nil when there is none.
    /// - Parameters:
    ///   - inherited: the real server's timing over the virtual server's.
    ///   - virtualDelayLoop: the virtual server's `delay_loop`, MISC_CHECK's default timeout.
    ///   - host: the real or virtual server's `virtualhost`, the Host of an HTTP check.
    static func read(
        _ statements: [KeepalivedStatement], endpoint: SocketEndpoint, inherited: KeepalivedCheckTiming,
        virtualDelayLoop: Duration, host: String?, ledger: inout ImportLedger
    ) -> KeepalivedRealServerCheck? {
        var found: KeepalivedRealServerCheck?
        for statement in statements where checkers.contains(statement.keyword) {
            if let first = found {
                ledger.list(
                    statement.location, statement.text,
                    "keepalived requires every checker of a real server to pass; vipd runs one check per server, the \(first.checker.keyword) at \(first.checker.location); not carried")
                accountChildren(of: statement, ledger: &ledger)
            } else if carried.contains(statement.keyword) {
                var reader = CheckerReader(
                    statement: statement, endpoint: endpoint, virtualDelayLoop: virtualDelayLoop, host: host, ledger: ledger)
                found = reader.read(inherited: inherited)
                ledger = reader.ledger
            } else {
                ledger.list(statement.location, statement.text, KeepalivedLVSKeywordReasons.realServer(statement))
                accountChildren(of: statement, ledger: &ledger)
            }
        }
        return found
    }

    /// Accounts for everything inside a statement that is listed as a whole.
    static func accountChildren(of statement: KeepalivedStatement, ledger: inout ImportLedger) {
        (statement.block ?? []).flatMap(\.flattened).forEach { ledger.carry($0.location) }
    }

    /// keepalived's `status_code` default: any 2xx.
    static let defaultStatuses = Array(200...299)
}

/// One checker block read into a vipd check.
private struct CheckerReader {
    let statement: KeepalivedStatement
    let endpoint: SocketEndpoint
    let virtualDelayLoop: Duration
    var host: String?
    var ledger: ImportLedger

    private var keyword: String { statement.keyword }

    mutating func read(inherited: KeepalivedCheckTiming) -> KeepalivedRealServerCheck? {
        var timing = KeepalivedCheckTiming()
        var url: KeepalivedStatement?
        var command: String?
        var miscTimeout: Duration?
        for child in statement.block ?? [] {
            if keyword == "MISC_CHECK", child.keyword == "connect_timeout" {
                ledger.list(child.location, child.text, "MISC_CHECK's time limit is misc_timeout; not carried")
                continue
            }
            if timing.read(child, ledger: &ledger) { continue }
            switch (keyword, child.keyword) {
            case (_, "connect_port"):
                guard let port = child.arguments.first.flatMap(KeepalivedTranslator.integer(in: 1...65535)), port != endpoint.port else {
                    _ = ledger.argument(of: child, "a port", KeepalivedTranslator.integer(in: 1...65535))
                    continue
                }
                ledger.list(
                    child.location, child.text,
                    "vipd checks each server at its own port (\(endpoint.port)); to check port \(port), use a kind: exec check")
            case ("HTTP_GET", "url"), ("SSL_GET", "url"):
                if url == nil, keyword == "HTTP_GET" {
                    ledger.carry(child.location)
                    url = child
                } else if keyword == "SSL_GET" {
                    ledger.list(
                        child.location, child.text,
                        "not checked: vipd's checks do not speak TLS, so this SSL_GET is a connect check (kind: tcp)")
                    KeepalivedRealServerCheck.accountChildren(of: child, ledger: &ledger)
                } else {
                    ledger.list(child.location, child.text, KeepalivedLVSKeywordReasons.checker(child))
                    KeepalivedRealServerCheck.accountChildren(of: child, ledger: &ledger)
                }
            case ("HTTP_GET", "virtualhost"), ("SSL_GET", "virtualhost"):
                host = ledger.argument(of: child, "a host name") { $0 } ?? host
            case ("MISC_CHECK", "misc_path"):
                let words = child.arguments.joined(separator: " ")
                if words.allSatisfy(\.isWhitespace) {
                    ledger.list(child.location, child.text, "expected a command; not carried")
                } else {
                    ledger.carry(child.location)
                    command = words
                }
            case ("MISC_CHECK", "misc_timeout"):
                miscTimeout = ledger.argument(of: child, "whole seconds", KeepalivedTranslator.integer(in: 0...86_400_000)).map { .seconds($0) }
            default:
                ledger.list(child.location, child.text, KeepalivedLVSKeywordReasons.checker(child))
                KeepalivedRealServerCheck.accountChildren(of: child, ledger: &ledger)
            }
        }
        let resolved = timing.over(inherited).over(.defaults(for: keyword))
        let kind: HealthCheckKind
        switch keyword {
        case "HTTP_GET":
            kind = .http(httpSettings(url))
        case "MISC_CHECK":
            guard let command else {
                ledger.list(statement.location, statement.text, "a MISC_CHECK needs a misc_path (keepalived skips it too); not carried")
                return nil
            }
            kind = .exec(command: command)
        case "SSL_GET":
            kind = .tcp
            ledger.remark(
                statement.location, statement.text,
                "vipd's checks do not speak TLS: a connect check (kind: tcp) is used instead; the server is up when it accepts connections on port \(endpoint.port), its HTTPS answer (path, status_code) is not checked")
        default:
            kind = .tcp
            if keyword == "SMTP_CHECK" {
                ledger.remark(statement.location, statement.text, "vipd's check connects to the server's port and sends nothing: a connect check (kind: tcp), no HELO")
            }
        }
        ledger.carry(statement.location)
        let timeout = keyword == "MISC_CHECK" ? (miscTimeout.flatMap { $0 > .zero ? $0 : nil } ?? virtualDelayLoop) : resolved.connectTimeout!
        let retry = resolved.retry!
        let check = HealthCheckConfig(kind: kind, interval: resolved.delayLoop!, timeout: timeout, fall: retry + 1, rise: 1)
        return KeepalivedRealServerCheck(check: check, checker: statement, retry: retry, delayBeforeRetry: resolved.delayBeforeRetry!)
    }

    /// The request of an HTTP_GET: its first `url`'s `path`, `status_code` and `virtualhost`.
    private mutating func httpSettings(_ url: KeepalivedStatement?) -> HTTPCheckSettings {
        var settings = HTTPCheckSettings(path: "/", host: host, expectStatus: KeepalivedRealServerCheck.defaultStatuses)
        guard let url else {
            ledger.remark(statement.location, statement.text, "no url: vipd requests / and expects keepalived's default status 200-299")
            return settings
        }
        for child in url.block ?? [] {
            switch child.keyword {
            case "path":
                guard let path = ledger.argument(of: child, "a path", { $0 }) else { continue }
                if path.hasPrefix("/"), !path.contains(where: \.isWhitespace) {
                    settings.path = path
                } else {
                    ledger.remark(child.location, child.text, "vipd requests a path starting with /, without spaces: / is requested")
                }
            case "status_code":
                let statuses = child.arguments.map { HAProxyTranslator.statuses($0) }
                guard !statuses.isEmpty, !statuses.contains(where: { $0 == nil }) else {
                    ledger.list(child.location, child.text, "expected statuses or ranges 100-599 (200 or 200-299 …); 200-299 is expected")
                    continue
                }
                ledger.carry(child.location)
                var unique: [Int] = []
                for status in statuses.compactMap({ $0 }).joined() where !unique.contains(status) { unique.append(status) }
                settings.expectStatus = unique
            case "virtualhost":
                settings.host = ledger.argument(of: child, "a host name") { $0 } ?? settings.host
            default:
                ledger.list(child.location, child.text, KeepalivedLVSKeywordReasons.checker(child))
            }
        }
        if let host = settings.host, host.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7f }) {
            ledger.remark(statement.location, statement.text, "the virtualhost \"\(host)\" has spaces; vipd sends the server's address as Host")
            settings.host = nil
        }
        return settings
    }
}
