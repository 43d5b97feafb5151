import FoundationEssentials

/// The `vipd serve-sessions` process that serves the sessions of a stopped vipd, seen from outside.
public enum SessionServerProcess {
    /// The subcommand's name.
    public static let subcommand = "serve-sessions"

    /// Whether `pid` runs `vipd serve-sessions` now (its command line names the subcommand).
    public static func isRunning(_ pid: Int32) -> Bool {
        guard pid > 0, let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        return data.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == subcommand }
    }
}
