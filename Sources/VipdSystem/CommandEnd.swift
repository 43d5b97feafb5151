import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// How a program run by ``ProcessLauncher`` (or a command run by ``ShellCommand``) ended.
public enum CommandEnd: Sendable, Equatable, CustomStringConvertible {
    /// It exited with this status.
    case exited(Int32)
    /// A signal ended it before its timeout (someone else's `kill`, a crash).
    case signalled(Int32)
    /// It was still running at its timeout: its process group was killed (SIGKILL).
    case timedOut(Duration)
    /// It could not be started; the reason.
    case notStarted(String)

    /// Exit status 0: the only success.
    public var succeeded: Bool { self == .exited(0) }

    /// `exit status 1`, `killed by signal 15 (Terminated)`, `timed out after 2000 ms, killed`,
    /// `not started: cannot posix_spawn /bin/sh: …`: what a log line says about it.
    public var description: String {
        switch self {
        case .exited(let status): "exit status \(status)"
        case .signalled(let signal): "killed by signal \(signal) (\(String(cString: strsignal(signal))))"
        case .timedOut(let timeout): "timed out after \(max(0, timeout.wholeMilliseconds)) ms, killed"
        case .notStarted(let reason): "not started: \(reason)"
        }
    }
}
