/// Reading a `vipd run` log (`TIMESTAMP LEVEL message key=value`, one record per line) for what the
/// demo shows and checks.
public enum DaemonLog {
    /// Whether the latest health transition of `pool/server` in `log` is UP (false when there is none).
    public static func serverIsUp(_ server: String, pool: String, in log: String) -> Bool {
        let up = "server \(pool)/\(server) is UP"
        let down = "server \(pool)/\(server) is DOWN"
        let last = log.split(separator: "\n").last { $0.contains(up) || $0.contains(down) }
        return last?.contains(up) ?? false
    }

    /// The lines of `log` that contain `text`, as messages (see `message(of:)`).
    public static func messages(containing text: String, in log: String) -> [String] {
        log.split(separator: "\n").filter { $0.contains(text) }.map { message(of: String($0)) }
    }

    /// A record without its timestamp: `warning server ssh/ha0 is DOWN: …`.
    public static func message(of line: String) -> String {
        guard let space = line.firstIndex(of: " "), line.first?.isNumber == true else { return line }
        return String(line[line.index(after: space)...])
    }

    /// The last `count` non-empty lines of `log`.
    public static func tail(_ log: String, lines count: Int) -> [String] {
        log.split(separator: "\n").suffix(count).map(String.init)
    }
}
