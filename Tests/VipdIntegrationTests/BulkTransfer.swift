import Foundation
import VipdLab
import XCTest

/// One run of bulk_transfer.py through a proxy: the server peer is started first (the proxy's
/// config needs its port), then `run` drives the client peer to the end and reads both summaries.
final class BulkTransfer {
    /// Which side sends everything and half-closes before reading (`--eof-first`); nil: both at once.
    enum FirstEOF: String {
        case client, server
    }

    let size: Int
    let server: PythonPeer
    private let flags: [String]
    private let serverOutput: URL

    /// Starts the server peer on `address`:`port` (0: a free one), in `namespace` when given; its
    /// files in `directory` are named after `name`.
    init(
        name: String, size: Int, firstEOF: FirstEOF? = nil, address: String = "127.0.0.1", port: Int = 0,
        namespace: NetworkNamespace? = nil, directory: LabDirectory
    ) throws {
        self.size = size
        flags = ["--size", "\(size)"] + (firstEOF.map { ["--eof-first", $0.rawValue] } ?? [])
        let portFile = directory.file("\(name).port")
        serverOutput = directory.file("\(name).out")
        server = try PythonPeer(
            script: "bulk_transfer.py", arguments: ["server", portFile.path, "--address", address, "--port", "\(port)"] + flags,
            portFile: portFile, output: serverOutput, namespace: namespace)
    }

    deinit { server.stop() }

    /// What each peer printed at its end: `received`, `sha256`, `sent_sha256`, and the server's `peer`.
    struct Summaries {
        /// The bytes each peer sent.
        let size: Int
        let server: [String: String]
        let client: [String: String]

        /// Both peers received `size` bytes, each exactly the other sent.
        func assertByteExact(file: StaticString = #filePath, line: UInt = #line) {
            XCTAssertEqual(server["received"], "\(size)", "\(self)", file: file, line: line)
            XCTAssertEqual(client["received"], "\(size)", "\(self)", file: file, line: line)
            XCTAssertEqual(server["sha256"], client["sent_sha256"], "client to server stream altered", file: file, line: line)
            XCTAssertEqual(client["sha256"], server["sent_sha256"], "server to client stream altered", file: file, line: line)
        }
    }

    /// Runs the client peer against `host`:`port` (in `namespace` when given), bounded by `timeout`,
    /// then waits (at most 60 s) for the server peer to finish.
    func run(host: String, port: Int, namespace: NetworkNamespace? = nil, timeout: Duration = .seconds(600)) throws -> Summaries {
        let command = [PythonPeer.scriptURL("bulk_transfer.py").path, "client", host, "\(port)"] + flags
        let client =
            try namespace?.execute(PythonPeer.python, command, timeout: timeout)
            ?? ProcessRunner.run(PythonPeer.python, arguments: command, timeout: timeout)
        try client.requireSuccess()
        server.waitForExit(timeout: 60)
        let serverLine = try String(contentsOf: serverOutput, encoding: .utf8)
        return Summaries(size: size, server: Self.fields(serverLine), client: Self.fields(client.standardOutput))
    }

    private static func fields(_ line: String) -> [String: String] {
        Dictionary(
            line.split(whereSeparator: \.isWhitespace).compactMap { part -> (String, String)? in
                let pair = part.split(separator: "=", maxSplits: 1)
                return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
            }, uniquingKeysWith: { $1 })
    }
}
