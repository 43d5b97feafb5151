import Foundation

/// A command-line tool that changes the kernel's network state (`nft` from nftables, `ip` from
/// iproute2), run in this process's network namespace, bounded in time.
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

    /// The path of the tool, or nil when it is not installed.
    public var path: String? { candidates.first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// A failed run: the command line, its exit status and standard error.
    public struct Failure: Error, CustomStringConvertible {
        var command: String
        var problem: String
        public var description: String { "\(command): \(problem)" }
    }

    /// Runs the tool with `arguments` and `input` on its standard input; returns its standard output.
    @discardableResult
    public func run(_ arguments: [String], input: String? = nil, timeout: Duration = .seconds(10)) throws(Failure) -> String {
        let command = ([name] + arguments).joined(separator: " ")
        guard let path else { throw Failure(command: command, problem: "\(name) is not installed (apt-get install \(package))") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            throw Failure(command: command, problem: "cannot start \(path): \(error)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        // Read both pipes to their end (the output is small), then wait, bounded.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        if finished.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .timedOut {
            process.terminate()
            throw Failure(command: command, problem: "no answer within \(timeout)")
        }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(command: command, problem: "exit status \(process.terminationStatus): \(message)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
