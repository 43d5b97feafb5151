import FoundationEssentials
import VipdCore
import VipdSystem

/// A command-line tool that reads or changes the kernel's network state (`nft` from nftables, `ip`
/// from iproute2, `iptables-save`), run in this process's network namespace, bounded in time.
public struct KernelCommand: Sendable {
    /// The tool's name, as in error messages.
    public let name: String
    /// Where the tool is looked for.
    public let candidates: [String]
    /// The Debian package that provides it.
    public let package: String

    /// nftables' `nft`.
    public static let nft = KernelCommand(name: "nft", candidates: ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"], package: "nftables")
    /// iproute2's `ip`.
    public static let ip = KernelCommand(name: "ip", candidates: ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"], package: "iproute2")
    /// iptables' `iptables-save`.
    public static let iptablesSave = KernelCommand(name: "iptables-save", candidates: ["/usr/sbin/iptables-save", "/sbin/iptables-save"], package: "iptables")
    /// iptables' `ip6tables-save`.
    public static let ip6tablesSave = KernelCommand(name: "ip6tables-save", candidates: ["/usr/sbin/ip6tables-save", "/sbin/ip6tables-save"], package: "iptables")

    /// The path of the tool, or nil when it is not installed.
    public var path: String? { candidates.first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// A failed run: the command line, its exit status and standard error.
    public struct Failure: Error, CustomStringConvertible {
        var command: String
        var problem: String
        public var description: String { "\(command): \(problem)" }
    }

    /// Runs the tool with `arguments` and `input` on its standard input; returns its standard output.
    /// Waits on the calling thread (at most `timeout`).
    @discardableResult
    public func run(_ arguments: [String], input: String? = nil, timeout: Duration = .seconds(10)) throws(Failure) -> String {
        let command = ([name] + arguments).joined(separator: " ")
        guard let path else { throw Failure(command: command, problem: "\(name) is not installed (apt-get install \(package))") }
        let outcome = ProcessLauncher(path, arguments: arguments, input: input.map { Array($0.utf8) }, timeout: timeout)
            .runBlockingThisThread()
        switch outcome.end {
        case .exited(0):
            return outcome.standardOutput
        case .timedOut:
            throw Failure(command: command, problem: "no answer within \(timeout)")
        case .notStarted(let reason):
            throw Failure(command: command, problem: "cannot start \(path): \(reason)")
        case .exited, .signalled:
            throw Failure(command: command, problem: "\(outcome.end): \(outcome.standardError.trimmingWhitespace())")
        }
    }
}
