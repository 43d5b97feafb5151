import CVipdSys
import Foundation
import VipdCore
import VipdLab
import VipdNet
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// Open TCP connections by connection mark through ctnetlink against the real kernel: a connection
/// from A to B whose conntrack entry an nftables rule in A marks is counted while it is open, not
/// once both sides closed it, and not under another mark.
final class ConntrackTableTests: XCTestCase {
    private var lab: VethLab!
    private var descriptors: [CInt] = []

    override func setUpWithError() throws {
        try VethLab.requireAvailable()
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: ClusterLab.nft.path), "nftables is needed to mark connections")
        lab = try VethLab(subnet: 105)
    }

    override func tearDown() {
        descriptors.forEach { close($0) }
        lab?.delete()
    }

    func testOpenConnectionsAreCountedByMarkAndClosedOnesAreNot() throws {
        let script = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-conntrack-\(getpid()).nft")
        defer { try? FileManager.default.removeItem(at: script) }
        try """
            table inet marks {
                chain output {
                    type filter hook output priority mangle; policy accept;
                    ct state new tcp dport 7001 ct mark set 0x02000000
                    ct state new tcp dport 7002 ct mark set 0x04000000
                }
            }
            """.write(to: script, atomically: true, encoding: .utf8)
        try lab.a.run(ClusterLab.nft, ["-f", script.path]).requireSuccess()
        let server = lab.ipv4(2)
        let listeners = try lab.b.perform { try [7001, 7002].map { try Self.listen(on: server, port: $0) } }
        descriptors += listeners
        let clients = try lab.a.perform { try [7001, 7001, 7002].map { try Self.connect(to: server, port: $0) } }
        descriptors += clients
        let conntrack = try lab.a.perform { try ConntrackNetlink() }

        XCTAssertEqual(try conntrack.openTCPConnections(mark: 0x0200_0000, mask: 0x3e00_0000), 2)
        XCTAssertEqual(try conntrack.openTCPConnections(mark: 0x0400_0000, mask: 0x3e00_0000), 1)
        XCTAssertEqual(try conntrack.openTCPConnections(mark: 0x0600_0000, mask: 0x3e00_0000), 0)

        // Both sides close the first connection: its entry goes to TIME_WAIT, no longer open.
        let accepted = accept(listeners[0], nil, nil)
        XCTAssertGreaterThanOrEqual(accepted, 0)
        descriptors.append(accepted)
        close(clients[0])
        close(accepted)
        descriptors.removeAll { $0 == clients[0] || $0 == accepted }
        let settled = try eventually(within: .seconds(10)) { try conntrack.openTCPConnections(mark: 0x0200_0000, mask: 0x3e00_0000) == 1 }
        XCTAssertTrue(settled, "the closed connection is still counted")
    }

    private static func listen(on address: IPAddress, port: Int) throws -> CInt {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var socketAddress = try Self.address(address, port: port)
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, 8) == 0 else {
            close(descriptor)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return descriptor
    }

    private static func connect(to address: IPAddress, port: Int) throws -> CInt {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var socketAddress = try Self.address(address, port: port)
        let connected = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw POSIXError(.init(rawValue: errno) ?? .EIO)
        }
        return descriptor
    }

    private static func address(_ address: IPAddress, port: Int) throws -> sockaddr_in {
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = in_port_t(port).bigEndian
        withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: address.bytes) }
        return socketAddress
    }
}
