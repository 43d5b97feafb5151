import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// How a command run by ``ShellCommand`` ended.
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
        case .timedOut(let timeout): "timed out after \(Self.milliseconds(timeout)) ms, killed"
        case .notStarted(let reason): "not started: \(reason)"
        }
    }

    /// Whole milliseconds of `duration`, none below zero.
    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return max(0, seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}

/// A command run through `/bin/sh -c` in the background, as track scripts, notify commands and
/// `kind: exec` health checks run: standard input, output and error on /dev/null, no other
/// descriptor, default signal dispositions, and a session (so a process group) of its own, which
/// is killed whole when the command outlives its timeout, children included.
///
/// Each command has a thread of its own that waits for it (`waitid`), so that a command whose
/// children keep running, or that closes its descriptors, is seen to end when it ends; the child is
/// reaped only after the timeout can no longer fire, so the group killed is always this command's.
public enum ShellCommand {
    /// Starts `command`; `completion` runs once, on the waiting thread, with how it ended.
    /// - Parameter environment: nil inherits vipd's environment.
    public static func launch(
        _ command: String, environment: [String: String]? = nil, timeout: Duration,
        completion: @escaping @Sendable (CommandEnd) -> Void
    ) {
        let pid: pid_t
        switch spawn(command, environment: environment ?? ProcessInfo.processInfo.environment) {
        case .failure(let reason):
            completion(.notStarted(reason.description))
            return
        case .success(let spawned):
            pid = spawned
        }
        let watch = Watch()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(clamping: CommandEnd.milliseconds(timeout)))) {
            watch.killIfRunning(group: pid)
        }
        Thread.detachNewThread {
            var info = siginfo_t()
            // Waits for the exit without reaping: until reaped, the pid and its group stay this command's.
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
            let killed = watch.exited()
            var status: Int32 = 0
            while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
            if killed {
                completion(.timedOut(timeout))
            } else if status & 0x7f == 0 {
                completion(.exited((status >> 8) & 0xff))
            } else {
                completion(.signalled(status & 0x7f))
            }
        }
    }

    /// Runs `command` and returns how it ended.
    public static func run(_ command: String, environment: [String: String]? = nil, timeout: Duration) async -> CommandEnd {
        await withCheckedContinuation { continuation in
            launch(command, environment: environment, timeout: timeout) { continuation.resume(returning: $0) }
        }
    }

    /// Whether the command still runs, for the timeout's kill: the waiting thread and the timer race
    /// for it under one lock.
    private final class Watch: @unchecked Sendable {
        private let lock = NSLock()
        private var running = true
        private var killed = false

        /// Kills the process group while the command runs (its leader not reaped yet).
        func killIfRunning(group: pid_t) {
            lock.withLock {
                guard running else { return }
                killed = true
                kill(-group, SIGKILL)
            }
        }

        /// Notes the exit; returns whether the timeout killed it.
        func exited() -> Bool {
            lock.withLock {
                running = false
                return killed
            }
        }
    }

    /// `/bin/sh -c command` in a session of its own with /dev/null as 0, 1 and 2.
    private static func spawn(_ command: String, environment: [String: String]) -> Result<pid_t, SystemCallError> {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { return .failure(SystemCallError("open", path: "/dev/null", errno: errno)) }
        defer { close(null) }
        return ProcessSpawn.spawn(
            "/bin/sh", arguments: ["/bin/sh", "-c", command], environment: environment.map { "\($0.key)=\($0.value)" },
            descriptors: [(null, 0), (null, 1), (null, 2)], newSession: true)
    }
}
