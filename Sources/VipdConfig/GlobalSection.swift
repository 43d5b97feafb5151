
extension ConfigReader {
    /// The log levels `global.log_level` accepts, most verbose first.
    static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// The longest unix socket path Linux accepts (`sun_path` holds 108 bytes with the final NUL).
    static let maximumSocketPathLength = 107

    /// The `global` section: `drain_timeout`, `session_drain_limit`, `log_level` and `control_socket`.
    func readGlobal(_ node: YAMLNode, path: String, owner: TextPosition?) -> GlobalSettings? {
        guard let fields = fields(of: node, path: path, owner: owner, as: .global) else { return nil }
        let defaults = GlobalSettings()
        let drainTimeout: Duration? =
            fields["drain_timeout"].map { readDuration($0, path: fields.path("drain_timeout")) }
            ?? defaults.drainTimeout
        let sessionDrainLimit: Duration? =
            fields["session_drain_limit"].map { readDuration($0, path: fields.path("session_drain_limit"), allowZero: true) }
            ?? defaults.sessionDrainLimit
        let logLevel: String? =
            fields["log_level"].map { readChoice($0, path: fields.path("log_level"), among: Self.logLevels) }
            ?? defaults.logLevel
        let controlSocket: String? =
            fields["control_socket"].map { readSocketPath($0, path: fields.path("control_socket")) }
            ?? defaults.controlSocket
        guard let drainTimeout, let sessionDrainLimit, let logLevel, let controlSocket else { return nil }
        return GlobalSettings(
            drainTimeout: drainTimeout, sessionDrainLimit: sessionDrainLimit, logLevel: logLevel, controlSocket: controlSocket)
    }

    /// An absolute path short enough for a unix socket.
    private func readSocketPath(_ node: YAMLNode, path: String) -> String? {
        guard let text = readString(node, path: path) else { return nil }
        guard text.hasPrefix("/") else {
            report("'\(text)' is not an absolute path (e.g. /run/vipd/vipd.sock)", at: node, path: path)
            return nil
        }
        guard text.utf8.count <= Self.maximumSocketPathLength else {
            report("'\(text)' is \(text.utf8.count) bytes long; a unix socket path has at most \(Self.maximumSocketPathLength)", at: node, path: path)
            return nil
        }
        return text
    }
}
