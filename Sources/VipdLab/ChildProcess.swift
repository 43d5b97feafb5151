import CVipdSys
import FoundationEssentials
import NIOConcurrencyHelpers
import VipdCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started with `posix_spawn(3)` and reaped with `waitpid(WNOHANG)`.
///
/// The lab does not use `Foundation.Process` because on Linux it detects the child's exit
/// through a socket inherited by the child; sshd and ssh close every inherited descriptor
/// at startup, so Foundation believes they exited at once and blocks its process-monitor
/// thread in `waitpid` until they really do, stalling every other `Process` in the program
/// (swift-corelibs-foundation issue #4795). Here the child gets only stdin, stdout and
/// stderr, default signal dispositions and an empty signal mask.
public final class ChildProcess: @unchecked Sendable {
    /// The child's process id.
    public let pid: pid_t
    /// The command line, for error messages.
    public let command: String

    private let lock = NIOLock()
    private var reapedStatus: Int32?

    private init(pid: pid_t, command: String) {
        self.pid = pid
        self.command = command
    }

    /// Spawns `executable` (an absolute path) with the given descriptors as its 0, 1 and 2.
    /// - Parameter environment: `nil` inherits this process's environment.
    public static func spawn(
        _ executable: URL,
        arguments: [String],
        environment: [String: String]? = nil,
        standardInput: Int32,
        standardOutput: Int32,
        standardError: Int32
    ) throws -> ChildProcess {
        let command = ([executable.path] + arguments).joined(separator: " ")
        let argv = ([executable.path] + arguments).map { strdup($0) }
        defer { argv.forEach { free($0) } }
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") }
        defer { envp.forEach { free($0) } }

        var pid = pid_t()
        let sources = [standardInput, standardOutput, standardError]
        let result = (argv + [nil]).withUnsafeBufferPointer { argvPointer in
            (envp + [nil]).withUnsafeBufferPointer { envpPointer in
                cvipd_spawn(&pid, executable.path, argvPointer.baseAddress!, envpPointer.baseAddress!, sources, [0, 1, 2], 3, 0)
            }
        }
        guard result == 0 else {
            throw LabError.launchFailed(command: command, reason: String(cString: strerror(result)))
        }
        return ChildProcess(pid: pid, command: command)
    }

    /// The exit status once the child has exited (128 + signal number when killed by a
    /// signal), `nil` while it runs. Reaps the child without blocking.
    public var exitStatus: Int32? {
        lock.withLock {
            if let reapedStatus { return reapedStatus }
            var status: Int32 = 0
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid {
                let signal = status & 0x7f
                reapedStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
            } else if result == -1, errno == ECHILD {
                reapedStatus = -1  // Reaped elsewhere (e.g. SIGCHLD ignored): gone, status unknown.
            }
            return reapedStatus
        }
    }

    /// True while the child has not exited.
    public var isRunning: Bool { exitStatus == nil }

    /// Sends `signal` unless the child has already been reaped (its pid may be reused).
    public func send(_ signal: Int32) {
        if isRunning { kill(pid, signal) }
    }

    /// Polls for the exit for at most `limit`; returns the status, or `nil` if still running.
    public func waitForExit(within limit: Duration) -> Int32? {
        let deadline = ContinuousClock.now + limit
        while true {
            if let status = exitStatus { return status }
            if ContinuousClock.now >= deadline { return nil }
            sleepBlockingThisThread(for: .milliseconds(10))
        }
    }

    /// SIGTERM, up to `grace` for the exit, then SIGKILL and up to five more seconds.
    public func terminate(grace: Duration) {
        send(SIGTERM)
        if waitForExit(within: grace) == nil {
            send(SIGKILL)
            _ = waitForExit(within: .seconds(5))
        }
    }

    /// Spawns `executable` with standard input from /dev/null and standard output and error
    /// appended to `log` (created when missing), as the lab's daemons run.
    public static func spawn(_ executable: URL, arguments: [String], appendingOutputTo log: URL) throws -> ChildProcess {
        let output = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw LabError.systemCall(name: "open \(log.path)", errno: errno) }
        defer { close(output) }
        let nullDevice = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard nullDevice >= 0 else { throw LabError.systemCall(name: "open /dev/null", errno: errno) }
        defer { close(nullDevice) }
        return try spawn(
            executable, arguments: arguments, standardInput: nullDevice, standardOutput: output, standardError: output)
    }
}
