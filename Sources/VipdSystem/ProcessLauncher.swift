import Dispatch
import FoundationEssentials
import NIOConcurrencyHelpers
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// vipd's one launcher of child processes: a program started by path with its arguments (no shell),
/// standard input from given bytes or /dev/null, standard output and error captured or on
/// /dev/null, no other descriptor, default signal dispositions, and a session (so a process group)
/// of its own, which is killed whole (SIGKILL) when the program outlives its timeout, children
/// included. Track scripts, notify commands and exec checks go through it as ``ShellCommand``;
/// `nft`, `ip`, `sshd -t`, `systemctl` and the firewall tools directly.
///
/// Input and output are unlinked temporary files, not pipes: a program that prints a lot never
/// blocks on a full pipe, and a child it leaves behind holding them cannot delay its end. The
/// program is waited for with `waitid` without reaping it, so that a program whose children keep
/// running is seen to end when it ends; it is reaped only after the timeout can no longer fire, so
/// the group killed is always this program's.
public struct ProcessLauncher: Sendable {
    /// The program's absolute path.
    public var path: String
    /// Its arguments, after its name (which is `path`).
    public var arguments: [String]
    /// `NAME: value` pairs; nil inherits vipd's environment.
    public var environment: [String: String]?
    /// What it reads on standard input; nil: /dev/null.
    public var input: [UInt8]?
    /// Whether standard output and error are kept (else they go to /dev/null).
    public var capturesOutput: Bool
    /// How long it may run before its process group is killed.
    public var timeout: Duration

    public init(
        _ path: String, arguments: [String] = [], environment: [String: String]? = nil, input: [UInt8]? = nil,
        capturesOutput: Bool = true, timeout: Duration
    ) {
        self.path = path
        self.arguments = arguments
        self.environment = environment
        self.input = input
        self.capturesOutput = capturesOutput
        self.timeout = timeout
    }

    /// Starts the program; `completion` runs once, on a thread of the launcher's own that waits
    /// for it, with how it ended and what it printed.
    public func launch(completion: @escaping @Sendable (ProcessOutcome) -> Void) {
        switch start() {
        case .failure(let reason): completion(ProcessOutcome(end: .notStarted(reason.description)))
        case .success(let running):
            do {
                try DetachedThread.start { completion(running.wait()) }
            } catch {
                // No thread to spare: this one waits, at most the program's timeout.
                completion(running.wait())
            }
        }
    }

    /// Runs the program and returns how it ended and what it printed, without blocking the caller's thread.
    public func run() async -> ProcessOutcome {
        await withCheckedContinuation { continuation in
            launch { continuation.resume(returning: $0) }
        }
    }

    /// Runs the program and waits for it on the calling thread: for synchronous callers (command
    /// line, setup of the kernel's state); in async code, `run()` keeps Swift's threads free.
    public func runBlockingThisThread() -> ProcessOutcome {
        switch start() {
        case .failure(let reason): ProcessOutcome(end: .notStarted(reason.description))
        case .success(let running): running.wait()
        }
    }

    /// Spawns the program with its descriptors in place.
    private func start() -> Result<RunningProcess, SystemCallError> {
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { return .failure(SystemCallError("open", path: "/dev/null", errno: errno)) }
        defer { close(null) }
        let standardInput: TemporaryFile?
        let standardOutput: TemporaryFile?
        let standardError: TemporaryFile?
        do throws(SystemCallError) {
            standardInput = try input.map { (bytes) throws(SystemCallError) in try TemporaryFile(holding: bytes) }
            standardOutput = capturesOutput ? try TemporaryFile(holding: []) : nil
            standardError = capturesOutput ? try TemporaryFile(holding: []) : nil
        } catch {
            return .failure(error)
        }
        let environment = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        let descriptors = [standardInput, standardOutput, standardError].enumerated().map { target, file in
            (source: file?.descriptor ?? null, target: CInt(target))
        }
        // The input file stays open until the child has its copy.
        let spawned = withExtendedLifetime(standardInput) {
            ProcessSpawn.spawn(path, arguments: [path] + arguments, environment: environment, descriptors: descriptors, newSession: true)
        }
        return spawned.map { RunningProcess(pid: $0, timeout: timeout, standardOutput: standardOutput, standardError: standardError) }
    }
}

/// What a program run by ``ProcessLauncher`` left behind.
public struct ProcessOutcome: Sendable, Equatable {
    /// How it ended.
    public var end: CommandEnd
    /// What it wrote on standard output (UTF-8, invalid bytes replaced); empty when not captured.
    public var standardOutput: String
    /// What it wrote on standard error; empty when not captured.
    public var standardError: String

    public init(end: CommandEnd, standardOutput: String = "", standardError: String = "") {
        self.end = end
        self.standardOutput = standardOutput
        self.standardError = standardError
    }
}

/// A spawned program until it is reaped: its pid, the timeout's kill and its output files.
private final class RunningProcess: Sendable {
    let pid: pid_t
    let timeout: Duration
    let standardOutput: TemporaryFile?
    let standardError: TemporaryFile?
    private let watch = KillAtTimeout()

    init(pid: pid_t, timeout: Duration, standardOutput: TemporaryFile?, standardError: TemporaryFile?) {
        self.pid = pid
        self.timeout = timeout
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Blocks the calling thread until the program ends (or is killed at its timeout), then reaps it.
    func wait() -> ProcessOutcome {
        let deadline = DispatchTime.now() + .milliseconds(Int(clamping: max(0, timeout.wholeMilliseconds)))
        // The timer holds the watch only, not the output files (it may fire long after the end).
        DispatchQueue.global().asyncAfter(deadline: deadline) { [watch, pid] in watch.killIfRunning(group: pid) }
        var info = siginfo_t()
        // Waits for the exit without reaping: until reaped, the pid and its group stay this program's.
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        let killed = watch.exited()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let end: CommandEnd =
            if killed { .timedOut(timeout) } else if status & 0x7f == 0 { .exited((status >> 8) & 0xff) } else { .signalled(status & 0x7f) }
        return ProcessOutcome(end: end, standardOutput: standardOutput?.contents() ?? "", standardError: standardError?.contents() ?? "")
    }
}

/// Whether the program still runs, for the timeout's kill: the waiting thread and the timer race
/// for it under one lock.
private final class KillAtTimeout: @unchecked Sendable {
    private let lock = NIOLock()
    private var running = true
    private var killed = false

    /// Kills the process group while the program runs (its leader not reaped yet).
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

/// An unlinked temporary file, closed when released: a program's input or one of its outputs.
private final class TemporaryFile: Sendable {
    let descriptor: CInt

    /// A new file holding `bytes`, its offset at the start.
    init(holding bytes: [UInt8]) throws(SystemCallError) {
        var template = Array("/tmp/vipd-process.XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SystemCallError("create a temporary file in", path: "/tmp", errno: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        self.descriptor = descriptor
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 || errno == EINTR else {
                let error = errno
                close(descriptor)
                throw SystemCallError("write a temporary file in", path: "/tmp", errno: error)
            }
            written += max(0, count)
        }
        lseek(descriptor, 0, SEEK_SET)
    }

    deinit { close(descriptor) }

    /// Everything in the file, decoded as UTF-8 (invalid bytes replaced).
    func contents() -> String {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(data.count)) }
            guard count > 0 else { break }
            data += chunk[..<count]
        }
        return String(decoding: data, as: UTF8.self)
    }
}
