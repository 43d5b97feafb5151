import Foundation
import VipdLab
import XCTest

/// Byte-exact forwarding and half-close through `transparent` connections in the two-node lab, to the
/// VIP owner's own node and to its peer: bulk_transfer.py's server peer listens on a node's address
/// at port 9000 and sees the client's address; its client peer is the lab's client (10.251.1.2).
/// The VIP's port 9000 goes to ha0 (the owner), its port 9001 to ha1, each in a transparent pool of
/// that one node.
final class TransparentBulkTransferTests: XCTestCase {
    private static let serverPort = 9000
    /// The VIP's port for each node's server peer.
    private static let listenPorts = [9000, 9001]

    private var lab: VRRPLab!

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: PythonPeer.python.path), "python3 is needed for the bulk peer")
    }

    override func tearDown() {
        lab?.tearDown()
    }

    /// 1 GiB each way at once (VIPD_BULK_BYTES overrides), both streams hashed on both ends; then each
    /// side half-closes first in turn (it sends everything and shuts down its sending side; the other
    /// sends only after that EOF): to ha0's server peer and to ha1's, in one lab.
    func testGigabyteEachWayAndHalfCloseFromEitherSideToTheOwnersAndThePeersServer() throws {
        let size = ProcessInfo.processInfo.environment["VIPD_BULK_BYTES"].flatMap { Int($0) } ?? 1 << 30
        try startLab()
        for node in 0...1 {
            let started = ContinuousClock.now
            try transfer(to: node, name: "both-ha\(node)", size: size).assertByteExact()
            print("\(size) bytes each way through a transparent connection to ha\(node): \(ContinuousClock.now - started)")
            for firstEOF in [BulkTransfer.FirstEOF.client, .server] {
                try transfer(to: node, name: "\(firstEOF)-first-ha\(node)", size: 32 << 20, firstEOF: firstEOF).assertByteExact()
            }
        }
    }

    /// Both nodes with a transparent pool of each node's server peer and a VIP listener for each,
    /// once logins through the VIP reach both nodes' sshd with the client's address (so each node
    /// knows the other's link-layer address).
    private func startLab() throws {
        lab = try VRRPLab()
        let listeners = Self.listenPorts.indices.map { node in
            "bulk\(node): { bind: \"\(VRRPLab.vip):\(Self.listenPorts[node])\", pool: bulk\(node), connect_timeout: 1s }"
        }
        let pools = lab.lab.nodes.enumerated().map { node, host in
            "bulk\(node): { transparent: true, servers: [{ name: \(host.name), address: \"\(host.address):\(Self.serverPort)\" }], check: { kind: none } }"
        }
        try lab.startPair { lab.transparentYAML($0, extraListeners: listeners, extraPools: pools) }
        try lab.waitForTransparentLoginsOnBothNodes()
    }

    /// One transfer from the client through the VIP to node `node`'s server peer, which must see
    /// the client's address.
    private func transfer(to node: Int, name: String, size: Int, firstEOF: BulkTransfer.FirstEOF? = nil) throws -> BulkTransfer.Summaries {
        let host = lab.lab.nodes[node]
        let peers = try BulkTransfer(
            name: name, size: size, firstEOF: firstEOF, address: host.address, port: Self.serverPort, namespace: host.namespace,
            directory: lab.directory)
        let summaries = try peers.run(host: VRRPLab.vip, port: Self.listenPorts[node], namespace: lab.lab.client.namespace)
        XCTAssertEqual(summaries.server["peer"], lab.lab.client.address, "the server peer on \(host.name) saw another address")
        return summaries
    }
}
