import FoundationEssentials
import NIOConcurrencyHelpers
import VipdCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process whose standard output is read as it arrives, each line stamped with the instant
/// it was read: what a user watching `ssh VIP 'for i in $(seq 1 60); do echo $i; sleep 0.2; done'`
/// sees across a failover (missing, reordered or late lines, and how the session ended).
///
/// Standard input comes from a file (e.g. the data of an upload) or `/dev/null`; standard error is
/// appended to a log file. A reader thread collects the lines until end of file. The caller stops
/// the process with `terminate(grace:)` (deinit does too, with a short grace); it is a
/// `ChildProcess` underneath (posix_spawn, reaped by pid).
public final class TimedLinesProcess: @unchecked Sendable {
    /// One line of standard output (without its newline) and when it was read.
    public struct Line: Sendable, Equatable {
        /// The text of the line.
        public let text: String
        /// When the reader got it (lines read in one chunk share the instant).
        public let at: ContinuousClock.Instant

        /// A line; see the properties.
        public init(text: String, at: ContinuousClock.Instant) {
            self.text = text
            self.at = at
        }
    }

    /// The process itself (its pid, exit status, signals).
    public let process: ChildProcess
    /// Where standard error goes.
    public let errorLog: URL
    /// When the process was started.
    public let startedAt: ContinuousClock.Instant

    /// What the reader thread collected; the thread holds only this, so deinit still runs while it reads.
    private let buffer = LineBuffer()

    private init(process: ChildProcess, errorLog: URL, startedAt: ContinuousClock.Instant) {
        self.process = process
        self.errorLog = errorLog
        self.startedAt = startedAt
    }

    deinit {
        process.terminate(grace: .seconds(1))
    }

    /// Spawns `executable` (an absolute path) with its standard output timed line by line.
    /// - Parameters:
    ///   - standardInput: a file to read standard input from; nil for `/dev/null`.
    ///   - errorLog: standard error is appended here (created when missing).
    /// - Throws: `LabError.systemCall` when a file or the pipe cannot be opened, `LabError.launchFailed`.
    public static func start(
        _ executable: URL, arguments: [String], standardInput: URL? = nil, errorLog: URL
    ) throws -> TimedLinesProcess {
        let inputPath = standardInput?.path ?? "/dev/null"
        let input = open(inputPath, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw LabError.systemCall(name: "open \(inputPath)", errno: errno) }
        defer { close(input) }
        let error = open(errorLog.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard error >= 0 else { throw LabError.systemCall(name: "open \(errorLog.path)", errno: errno) }
        defer { close(error) }
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw LabError.systemCall(name: "pipe", errno: errno) }
        // Not inherited by other children (ChildProcess closes descriptors above 2 in its children too).
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let started = ContinuousClock.now
        let child: ChildProcess
        do {
            child = try ChildProcess.spawn(
                executable, arguments: arguments, standardInput: input, standardOutput: ends[1], standardError: error)
        } catch {
            close(ends[0])
            close(ends[1])
            throw error
        }
        close(ends[1])  // Only the child writes now: its exit is the reader's end of file.
        let timed = TimedLinesProcess(process: child, errorLog: errorLog, startedAt: started)
        let readEnd = ends[0]
        let buffer = timed.buffer
        do {
            try DetachedThread.start { buffer.collect(from: readEnd) }
        } catch {
            close(readEnd)
            child.terminate(grace: .seconds(2))
            throw error
        }
        return timed
    }

    /// Every complete line so far, in order of arrival.
    public var lines: [Line] { buffer.snapshot.lines }

    /// The texts of `lines`.
    public var texts: [String] { lines.map(\.text) }

    /// Everything written to standard error so far.
    public var standardError: String { (try? String(contentsOf: errorLog, encoding: .utf8)) ?? "" }

    /// True while the process has not exited.
    public var isRunning: Bool { process.isRunning }

    /// Waits (bounded) until at least `count` lines arrived; false when they did not in time or
    /// standard output ended before.
    public func waitForLines(_ count: Int, within limit: Duration) -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            let (have, ended) = buffer.snapshot
            if have.count >= count { return true }
            if ended { return false }
            sleepBlockingThisThread(for: .milliseconds(10))
        }
        return lines.count >= count
    }

    /// Waits at most `limit` for the exit and then (within the same bound) for the last output;
    /// returns the exit status (128 + signal when killed), or nil while the process still runs.
    public func waitForExit(within limit: Duration) -> Int32? {
        let deadline = ContinuousClock.now + limit
        guard let status = process.waitForExit(within: limit) else { return nil }
        while !buffer.snapshot.ended, ContinuousClock.now < deadline {
            sleepBlockingThisThread(for: .milliseconds(10))
        }
        return status
    }

    /// SIGTERM, up to `grace` for the exit, then SIGKILL (see `ChildProcess.terminate(grace:)`).
    public func terminate(grace: Duration) {
        process.terminate(grace: grace)
    }

    /// The longest wait between two consecutive lines of `lines`, with the lines around it; nil for
    /// fewer than two lines.
    public static func longestGap(in lines: [Line]) -> (gap: Duration, from: Line, to: Line)? {
        zip(lines, lines.dropFirst()).map { (gap: $1.at - $0.at, from: $0, to: $1) }.max { $0.gap < $1.gap }
    }
}

/// The lines a `TimedLinesProcess` has read so far, filled by its reader thread.
private final class LineBuffer: @unchecked Sendable {
    private let lock = NIOLock()
    private var received: [TimedLinesProcess.Line] = []
    private var partial: [UInt8] = []
    private var reachedEnd = false

    /// The complete lines so far and whether standard output has ended.
    var snapshot: (lines: [TimedLinesProcess.Line], ended: Bool) { lock.withLock { (received, reachedEnd) } }

    /// Reads `descriptor` until end of file, stamping every line as it arrives; then closes it.
    func collect(from descriptor: Int32) {
        defer { close(descriptor) }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            let now = ContinuousClock.now
            lock.withLock {
                guard count > 0 else {
                    if !partial.isEmpty { received.append(.init(text: String(decoding: partial, as: UTF8.self), at: now)) }
                    partial = []
                    reachedEnd = true
                    return
                }
                for byte in chunk[..<count] {
                    if byte == UInt8(ascii: "\n") {
                        received.append(.init(text: String(decoding: partial, as: UTF8.self), at: now))
                        partial = []
                    } else {
                        partial.append(byte)
                    }
                }
            }
            if count <= 0 { return }
        }
    }
}

extension SSHClient {
    /// Starts `ssh … command` in the background with its standard output timed line by line (see
    /// `TimedLinesProcess`); standard input from `standardInput` (nil: `/dev/null`), standard error
    /// appended to `errorLog`.
    public func startTimedSession(
        host: String, port: Int, command: String, namespace: NetworkNamespace? = nil, standardInput: URL? = nil,
        errorLog: URL
    ) throws -> TimedLinesProcess {
        let (executable, arguments) = try commandLine(host: host, port: port, command: command, namespace: namespace)
        return try TimedLinesProcess.start(executable, arguments: arguments, standardInput: standardInput, errorLog: errorLog)
    }
}
