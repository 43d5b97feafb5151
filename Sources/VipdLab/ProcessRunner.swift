import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program to completion with a time limit and captures what it printed.
///
/// Output goes to unlinked temporary files rather than pipes, so a chatty child can never
/// block on a full pipe and a grandchild that keeps a descriptor open cannot hang the caller.
/// Standard input is `/dev/null`. On expiry the child gets SIGTERM, then SIGKILL after two
/// seconds, and `run` throws `LabError.timedOut`.
public enum ProcessRunner {
    /// What a finished process left behind.
    public struct Output: Sendable {
        /// The command line, for error messages.
        public let command: String
        /// The exit status, or 128 + signal number when the process was killed by a signal.
        public let exitStatus: Int32
        /// Everything written to standard output, decoded as UTF-8.
        public let standardOutput: String
        /// Everything written to standard error, decoded as UTF-8.
        public let standardError: String

        /// Returns normally when `exitStatus` is 0, else throws `LabError.commandFailed`.
        public func requireSuccess() throws {
            guard exitStatus == 0 else {
                throw LabError.commandFailed(command: command, exitStatus: exitStatus, standardError: standardError)
            }
        }
    }

    /// Runs `executable` (an absolute path) with `arguments` and waits at most `timeout`.
    /// - Parameter environment: the child's environment; `nil` inherits this process's.
    /// - Throws: `LabError.launchFailed` or `LabError.timedOut`. A non-zero exit is not an
    ///   error here; check `Output.exitStatus` or call `requireSuccess()`.
    public static func run(
        _ executable: URL,
        arguments: [String],
        environment: [String: String]? = nil,
        timeout: Duration
    ) throws -> Output {
        let standardOutput = try CaptureFile()
        let standardError = try CaptureFile()
        let nullDevice = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard nullDevice >= 0 else { throw LabError.systemCall(name: "open /dev/null", errno: errno) }
        defer { close(nullDevice) }

        let child = try ChildProcess.spawn(
            executable, arguments: arguments, environment: environment,
            standardInput: nullDevice,
            standardOutput: standardOutput.descriptor,
            standardError: standardError.descriptor
        )
        guard let status = child.waitForExit(within: timeout) else {
            child.terminate(grace: .seconds(2))
            throw LabError.timedOut(command: child.command, after: timeout, standardError: standardError.contents())
        }
        return Output(
            command: child.command,
            exitStatus: status,
            standardOutput: standardOutput.contents(),
            standardError: standardError.contents()
        )
    }
}

/// An anonymous temporary file that collects one output stream of a child process.
private final class CaptureFile {
    let descriptor: Int32

    init() throws {
        var template = Array("/tmp/vipd-lab-output.XXXXXX".utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw LabError.systemCall(name: "mkstemp", errno: errno) }
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    deinit {
        close(descriptor)
    }

    /// Everything written so far, decoded as UTF-8 (invalid bytes replaced).
    func contents() -> String {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        var offset: off_t = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, offset) }
            guard count > 0 else { break }
            data += chunk[..<count]
            offset += off_t(count)
        }
        return String(decoding: data, as: UTF8.self)
    }
}
