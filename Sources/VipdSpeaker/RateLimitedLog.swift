import Logging

/// Logs a recurring problem at most once per `period` per key, saying how many were suppressed
/// in between, so a flood of hostile packets cannot flood the log.
struct RateLimitedLog {
    let period: Duration
    private var lastLogged: [String: ContinuousClock.Instant] = [:]
    private var suppressed: [String: Int] = [:]

    init(period: Duration = .seconds(10)) {
        self.period = period
    }

    /// Logs `message` under `key` unless the key was logged less than `period` ago.
    mutating func log(_ message: @autoclosure () -> String, key: String, level: Logger.Level = .warning, logger: Logger, now: ContinuousClock.Instant = .now) {
        if let last = lastLogged[key], now - last < period {
            suppressed[key, default: 0] += 1
            return
        }
        let skipped = suppressed.removeValue(forKey: key) ?? 0
        lastLogged[key] = now
        logger.log(level: level, "\(message())\(skipped > 0 ? " (\(skipped) more like it since the last report)" : "")")
    }
}
