/// When keepalived checks a real server: `delay_loop`, `connect_timeout`, `retry` (the old
/// `nb_get_retry`) and `delay_before_retry`, each set on the `virtual_server`, the `real_server` or
/// the checker itself, the most specific one winning, else the checker's default.
///
/// keepalived 2.x checks a server every `delay_loop` (default 60 s). A check of an up server that
/// fails is retried `retry` times, `delay_before_retry` apart (defaults: 1 retry 3 s later for
/// HTTP_GET and SSL_GET, 1 retry 1 s later for TCP_CHECK and SMTP_CHECK, none for MISC_CHECK),
/// and the server goes down when the last retry fails too; one passed check brings a down server
/// back. `connect_timeout` (default 5 s) bounds each check.
struct KeepalivedCheckTiming: Equatable {
    var delayLoop: Duration?
    var connectTimeout: Duration?
    var retry: Int?
    var delayBeforeRetry: Duration?

    /// keepalived's defaults for a checker of kind `checker` (`HTTP_GET`, `MISC_CHECK`, …).
    static func defaults(for checker: String) -> KeepalivedCheckTiming {
        KeepalivedCheckTiming(
            delayLoop: .seconds(60), connectTimeout: .seconds(5), retry: checker == "MISC_CHECK" ? 0 : 1,
            delayBeforeRetry: ["HTTP_GET", "SSL_GET"].contains(checker) ? .seconds(3) : .seconds(1))
    }

    /// These values, with `outer`'s where these are unset.
    func over(_ outer: KeepalivedCheckTiming) -> KeepalivedCheckTiming {
        KeepalivedCheckTiming(
            delayLoop: delayLoop ?? outer.delayLoop, connectTimeout: connectTimeout ?? outer.connectTimeout,
            retry: retry ?? outer.retry, delayBeforeRetry: delayBeforeRetry ?? outer.delayBeforeRetry)
    }

    /// Reads `statement` when it is one of the timing keywords, or `alpha` or `warmup`, which every
    /// level also takes: carried, or listed with the reason. False for any other keyword.
    mutating func read(_ statement: KeepalivedStatement, ledger: inout ImportLedger) -> Bool {
        let positive = { (text: String) in KeepalivedTranslator.seconds(text).flatMap { $0 > .zero ? $0 : nil } }
        switch statement.keyword {
        case "delay_loop": delayLoop = ledger.argument(of: statement, "seconds above 0", positive) ?? delayLoop
        case "connect_timeout": connectTimeout = ledger.argument(of: statement, "seconds above 0", positive) ?? connectTimeout
        case "delay_before_retry":
            delayBeforeRetry = ledger.argument(of: statement, "seconds", KeepalivedTranslator.seconds) ?? delayBeforeRetry
        case "retry", "nb_get_retry":
            retry = ledger.argument(of: statement, "a count of retries", KeepalivedTranslator.integer(in: 0...1_000_000)) ?? retry
        case "alpha":
            if ["no", "false", "off"].contains(statement.arguments.first?.lowercased() ?? "") {
                ledger.list(
                    statement.location, statement.text,
                    "vipd always waits for a server's first check before sending it connections (keepalived's alpha mode)")
            } else {
                ledger.carry(statement.location)
            }
        case "warmup": ledger.list(statement.location, statement.text, KeepalivedLVSKeywordReasons.checker(statement))
        default: return false
        }
        return true
    }
}
