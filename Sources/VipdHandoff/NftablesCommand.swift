import Foundation

/// Runs `nft` (Debian's nftables) in this process's network namespace, bounded in time.
public enum NftablesCommand {
    /// Where `nft` is looked for.
    public static let candidates = ["/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"]

    /// The path of `nft`, or nil when nftables is not installed.
    public static var path: String? { candidates.first { FileManager.default.isExecutableFile(atPath: $0) } }

    /// A failed `nft` run: its arguments, exit status and standard error.
    public struct Failure: Error, CustomStringConvertible {
        var arguments: [String]
        var problem: String
        public var description: String { "nft \(arguments.joined(separator: " ")): \(problem)" }
    }

    /// Runs `nft arguments` with `input` on its standard input; returns its standard output.
    @discardableResult
    public static func run(_ arguments: [String], input: String? = nil, timeout: Duration = .seconds(10)) throws(Failure) -> String {
        guard let path else { throw Failure(arguments: arguments, problem: "nft is not installed (apt-get install nftables)") }
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
            throw Failure(arguments: arguments, problem: "cannot start \(path): \(error)")
        }
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try? stdin.fileHandleForWriting.close()
        // Read both pipes to their end (nft's output is small), then wait, bounded.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        if finished.wait(timeout: .now() + .milliseconds(Int(timeout.components.seconds * 1000))) == .timedOut {
            process.terminate()
            throw Failure(arguments: arguments, problem: "no answer within \(timeout)")
        }
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw Failure(arguments: arguments, problem: "exit status \(process.terminationStatus): \(message)")
        }
        return String(decoding: output, as: UTF8.self)
    }
}
