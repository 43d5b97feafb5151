import FoundationEssentials

/// `sshd -t -f MAIN`: OpenSSH's own verdict on a configuration, when sshd is installed.
public enum SSHDConfigTest {
    /// Where Debian and RHEL install sshd.
    public static let defaultSSHD = "/usr/sbin/sshd"

    /// What `sshd -t` said.
    public enum Verdict: Sendable, Equatable {
        /// sshd accepts the configuration.
        case accepted
        /// sshd rejects it; its message (naming file and line) is attached.
        case rejected(String)
        /// No sshd at the given path, so nothing was checked.
        case sshdMissing
    }

    /// Runs `sshd -t -f mainConfig` and waits at most `timeLimit` on the calling thread (then kills
    /// it and reports a rejection, as when it cannot be started).
    public static func run(mainConfig: String, sshd: String = defaultSSHD, timeLimit: Duration = .seconds(30)) -> Verdict {
        guard FileManager.default.isExecutableFile(atPath: sshd) else { return .sshdMissing }
        let outcome = ProcessLauncher(sshd, arguments: ["-t", "-f", mainConfig], timeout: timeLimit).runBlockingThisThread()
        switch outcome.end {
        case .exited(0):
            return .accepted
        case .timedOut:
            return .rejected("sshd -t -f \(mainConfig) did not finish within \(timeLimit)")
        case .notStarted(let reason):
            return .rejected("could not run \(sshd) -t: \(reason)")
        case .exited(let status), .signalled(let status):
            let message = (outcome.standardError + outcome.standardOutput).split(separator: "\n").joined(separator: "; ")
            return .rejected(message.isEmpty ? "sshd -t exited with status \(status)" : message)
        }
    }
}
