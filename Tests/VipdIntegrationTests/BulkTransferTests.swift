import Foundation
import VipdLab
import XCTest

/// Byte-exact forwarding and half-close through the real `vipd` binary, with a Python peer on each side.
final class BulkTransferTests: XCTestCase {
    private var directory: LabDirectory!

    override func setUpWithError() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is needed for the bulk peer")
        directory = try LabDirectory(prefix: "vipd-bulk")
    }

    override func tearDown() {
        directory?.remove()
    }

    /// Runs server and client peers through vipd; returns both summary lines.
    private func transfer(size: Int, serverFirstEOF: Bool = false) throws -> (server: [String: String], client: [String: String]) {
        let flags = ["--size", "\(size)"] + (serverFirstEOF ? ["--server-first-eof"] : [])
        let portFile = directory.file("server.port")
        let serverOutput = directory.file("server.out")
        let server = try PythonPeer(
            script: "bulk_transfer.py", arguments: ["server", portFile.path] + flags, portFile: portFile, output: serverOutput)
        defer { server.stop() }
        let listenPort = try FreePort.allocate()
        let vipd = try VipdProcess(
            yaml: """
                listeners:
                  bulk: { bind: 127.0.0.1:\(listenPort), pool: sink }
                pools:
                  sink:
                    servers: [{ name: peer, address: 127.0.0.1:\(server.port) }]
                    check: { kind: none }
                """, directory: directory)
        defer { vipd.stop() }
        let client = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/python3"), arguments: [PythonPeer.scriptURL("bulk_transfer.py").path, "client", "127.0.0.1", "\(listenPort)"] + flags,
            timeout: .seconds(600))
        try client.requireSuccess()
        server.waitForExit(timeout: 60)
        let serverLine = try String(contentsOf: serverOutput, encoding: .utf8)
        return (Self.fields(serverLine), Self.fields(client.standardOutput))
    }

    private static func fields(_ line: String) -> [String: String] {
        Dictionary(
            line.split(whereSeparator: \.isWhitespace).compactMap { part -> (String, String)? in
                let pair = part.split(separator: "=", maxSplits: 1)
                return pair.count == 2 ? (String(pair[0]), String(pair[1])) : nil
            }, uniquingKeysWith: { $1 })
    }

    /// 1 GiB each way at once (VIPD_BULK_BYTES overrides), both streams hashed on both ends.
    func testGigabyteEachWayIsForwardedByteExact() throws {
        let size = ProcessInfo.processInfo.environment["VIPD_BULK_BYTES"].flatMap { Int($0) } ?? 1 << 30
        let (server, client) = try transfer(size: size)
        XCTAssertEqual(server["received"], "\(size)")
        XCTAssertEqual(client["received"], "\(size)")
        XCTAssertEqual(server["sha256"], client["sent_sha256"], "client to server stream altered")
        XCTAssertEqual(client["sha256"], server["sent_sha256"], "server to client stream altered")
    }

    /// The server finishes and half-closes first; the client sends only after seeing that EOF.
    func testHalfCloseFromTheServerSideFirst() throws {
        let size = 8 << 20
        let (server, client) = try transfer(size: size, serverFirstEOF: true)
        XCTAssertEqual(server["received"], "\(size)")
        XCTAssertEqual(client["received"], "\(size)")
        XCTAssertEqual(server["sha256"], client["sent_sha256"])
        XCTAssertEqual(client["sha256"], server["sent_sha256"])
    }
}
