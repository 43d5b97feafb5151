import Yams

extension ConfigReader {
    /// The log levels `global.log_level` accepts, most verbose first.
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The `global` section: `drain_timeout` and `log_level`.
    func readGlobal(_ node: Node, path: String, owner: Mark?) -> GlobalSettings? {
        guard let fields = fields(of: node, path: path, owner: owner, allowed: ["drain_timeout", "log_level"]) else {
            return nil
        }
        let defaults = GlobalSettings()
        let drainTimeout: Duration? =
            fields["drain_timeout"].map { readDuration($0, path: fields.path("drain_timeout")) }
            ?? defaults.drainTimeout
        let logLevel: String? =
            fields["log_level"].map { readChoice($0, path: fields.path("log_level"), among: Self.logLevels) }
            ?? defaults.logLevel
        guard let drainTimeout, let logLevel else { return nil }
        return GlobalSettings(drainTimeout: drainTimeout, logLevel: logLevel)
    }
}
