
extension ConfigReader {
    /// The `track_scripts` section: a mapping from name to `command`, `interval`, `timeout`, `fall`, `rise`
    /// (keepalived's `vrrp_script`). Returns the scripts and every name, valid or not, for references.
    func readTrackScripts(_ node: YAMLNode, path: String) -> (scripts: [TrackScriptConfig], names: [String]) {
        guard let entries = namedEntries(of: node, path: path) else { return ([], []) }
        let scripts = entries.compactMap { entry -> TrackScriptConfig? in
            let scriptPath = Self.join(path, entry.name)
            guard let fields = fields(of: entry.value, path: scriptPath, owner: entry.key.position, as: .trackScript) else {
                return nil
            }
            let defaults = TrackScriptConfig(name: entry.name, command: "")
            let command = required("command", in: fields).flatMap { readString($0, path: fields.path("command")) }
            let interval: Duration? =
                fields["interval"].map { readDuration($0, path: fields.path("interval"), bareNumber: .keepalivedSeconds) } ?? defaults.interval
            let timeout: Duration? =
                fields["timeout"].map { readDuration($0, path: fields.path("timeout"), bareNumber: .keepalivedSeconds) } ?? defaults.timeout
            let fall: Int? = fields["fall"].map { readInt($0, path: fields.path("fall"), range: 1...Int.max) } ?? defaults.fall
            let rise: Int? = fields["rise"].map { readInt($0, path: fields.path("rise"), range: 1...Int.max) } ?? defaults.rise
            guard let command, let interval, let timeout, let fall, let rise else { return nil }
            return TrackScriptConfig(
                name: entry.name, command: command, interval: interval, timeout: timeout, fall: fall, rise: rise)
        }
        return (scripts, entries.map(\.name))
    }
}
