/// A command run through `/bin/sh -c` in the background, as track scripts, notify commands and
/// `kind: exec` health checks run: a ``ProcessLauncher`` of `/bin/sh` with standard input, output
/// and error on /dev/null, in a session of its own killed whole at the timeout.
public enum ShellCommand {
    /// Starts `command`; `completion` runs once, on the launcher's waiting thread, with how it ended.
    /// - Parameter environment: nil inherits vipd's environment.
    public static func launch(
        _ command: String, environment: [String: String]? = nil, timeout: Duration,
        completion: @escaping @Sendable (CommandEnd) -> Void
    ) {
        launcher(command, environment: environment, timeout: timeout).launch { completion($0.end) }
    }

    /// Runs `command` and returns how it ended.
    public static func run(_ command: String, environment: [String: String]? = nil, timeout: Duration) async -> CommandEnd {
        await launcher(command, environment: environment, timeout: timeout).run().end
    }

    private static func launcher(_ command: String, environment: [String: String]?, timeout: Duration) -> ProcessLauncher {
        ProcessLauncher("/bin/sh", arguments: ["-c", command], environment: environment, capturesOutput: false, timeout: timeout)
    }
}
