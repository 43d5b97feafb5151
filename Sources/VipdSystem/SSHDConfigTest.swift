import Foundation

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

    /// Runs `sshd -t -f mainConfig` and waits at most `timeLimit` (then kills it and reports a rejection).
    public static func run(
        mainConfig: String, sshd: String = defaultSSHD, timeLimit: Duration = .seconds(30)
    ) throws -> Verdict {
        guard FileManager.default.isExecutableFile(atPath: sshd) else { return .sshdMissing }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: sshd)
        process.arguments = ["-t", "-f", mainConfig]
        process.standardInput = FileHandle.nullDevice
        let output = try temporaryOutputFile()
        process.standardOutput = output
        process.standardError = output
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + timeLimit / .seconds(1)) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            exited.wait()
            return .rejected("sshd -t -f \(mainConfig) did not finish within \(timeLimit)")
        }
        try output.seek(toOffset: 0)
        let text = String(decoding: try output.readToEnd() ?? Data(), as: UTF8.self)
        guard process.terminationStatus == 0, process.terminationReason == .exit else {
            let message = text.split(separator: "\n").joined(separator: "; ")
            return .rejected(message.isEmpty ? "sshd -t exited with status \(process.terminationStatus)" : message)
        }
        return .accepted
    }

    /// An unlinked temporary file for sshd's output (no pipe to fill, nothing left behind).
    private static func temporaryOutputFile() throws -> FileHandle {
        var template = Array("/tmp/vipd-sshd-t.XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw SystemCallError("create a temporary file in", path: "/tmp", errno: errno) }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
    }
}
