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

    /// Runs server and client peers through vipd on 127.0.0.1; returns both summaries.
    private func transfer(size: Int, firstEOF: BulkTransfer.FirstEOF? = nil) throws -> BulkTransfer.Summaries {
        let peers = try BulkTransfer(name: "server", size: size, firstEOF: firstEOF, directory: directory)
        let listenPort = try FreePort.allocate()
        let vipd = try VipdProcess(
            yaml: """
                listeners:
                  bulk: { bind: 127.0.0.1:\(listenPort), pool: sink }
                pools:
                  sink:
                    servers: [{ name: peer, address: 127.0.0.1:\(peers.server.port) }]
                    check: { kind: none }
                """, directory: directory)
        defer { vipd.stop() }
        return try peers.run(host: "127.0.0.1", port: listenPort)
    }

    /// 1 GiB each way at once (VIPD_BULK_BYTES overrides), both streams hashed on both ends.
    func testGigabyteEachWayIsForwardedByteExact() throws {
        let size = ProcessInfo.processInfo.environment["VIPD_BULK_BYTES"].flatMap { Int($0) } ?? 1 << 30
        try transfer(size: size).assertByteExact()
    }

    /// The server finishes and half-closes first; the client sends only after seeing that EOF.
    func testHalfCloseFromTheServerSideFirst() throws {
        try transfer(size: 8 << 20, firstEOF: .server).assertByteExact()
    }

    /// The client finishes and half-closes first; the server sends only after seeing that EOF.
    func testHalfCloseFromTheClientSideFirst() throws {
        try transfer(size: 8 << 20, firstEOF: .client).assertByteExact()
    }
}
