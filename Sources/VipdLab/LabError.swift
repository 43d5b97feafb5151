import FoundationEssentials
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// Everything that can go wrong while setting up or driving the OpenSSH lab.
///
/// Each case carries enough context (the command, the tool's own output, the sshd log)
/// to diagnose the failure from the error message alone.
public enum LabError: Error, Equatable, Sendable, CustomStringConvertible, LocalizedError {
    /// A required program (sshd, ssh, ssh-keygen) is not installed where the lab looks for it.
    case toolMissing(name: String, searched: [String])
    /// A system call failed; `errno` is the C error number.
    case systemCall(name: String, errno: Int32)
    /// An address string is not a numeric IPv4 or IPv6 address.
    case invalidAddress(String)
    /// A process could not be launched at all.
    case launchFailed(command: String, reason: String)
    /// A process ran but exited with a non-zero status.
    case commandFailed(command: String, exitStatus: Int32, standardError: String)
    /// A process did not finish in time and was killed.
    case timedOut(command: String, after: Duration, standardError: String)
    /// `sshd -t` rejected the generated configuration, or sshd died or never sent its banner.
    case daemonFailed(name: String, reason: String, log: String)
    /// A command's output did not have the expected shape.
    case unexpectedOutput(command: String, output: String)

    /// A one-paragraph, human-readable explanation including the captured output.
    public var description: String {
        switch self {
        case let .toolMissing(name, searched):
            return "\(name) not found (searched \(searched.joined(separator: ", "))); install openssh-server and openssh-client"
        case let .systemCall(name, errno):
            return "\(name) failed: \(String(cString: strerror(errno))) (errno \(errno))"
        case let .invalidAddress(address):
            return "'\(address)' is not a numeric IPv4 or IPv6 address"
        case let .launchFailed(command, reason):
            return "could not launch `\(command)`: \(reason)"
        case let .commandFailed(command, exitStatus, standardError):
            return "`\(command)` exited with status \(exitStatus): \(Self.trimmed(standardError))"
        case let .timedOut(command, after, standardError):
            return "`\(command)` did not finish within \(after) and was killed: \(Self.trimmed(standardError))"
        case let .daemonFailed(name, reason, log):
            let log = log.trimmingWhitespace()
            return log.isEmpty ? "sshd '\(name)': \(reason)" : "sshd '\(name)': \(reason)\n--- sshd output ---\n\(Self.trimmed(log))"
        case let .unexpectedOutput(command, output):
            return "`\(command)` printed unexpected output: \(Self.trimmed(output))"
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    private static func trimmed(_ text: String) -> String {
        let text = text.trimmingWhitespace()
        if text.isEmpty { return "(no output)" }
        return text.count > 4000 ? "…" + String(text.suffix(4000)) : text
    }
}
