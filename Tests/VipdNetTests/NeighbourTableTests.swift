import Foundation
import VipdLab
import VipdNet
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The neighbour table through rtnetlink against the real kernel, checked against what `ip` prints.
final class NeighbourTableTests: XCTestCase {
    private var lab: VethLab!

    override func setUpWithError() throws {
        try VethLab.requireAvailable()
        lab = try VethLab(subnet: 104)
    }

    override func tearDown() {
        lab?.delete()
    }

    func testAConnectionAcrossTheVethLeavesEntriesWithThePeersMAC() throws {
        let peers = [lab.ipv4(2), lab.ipv6(2)]
        let peerMAC = try hardwareAddress(of: lab.interfaceB, in: lab.b)
        let (index, all, v4, v6) = try lab.a.perform {
            // Nothing listens on B's port 9: B answers with a reset, after A has resolved B's address.
            for peer in peers { _ = BannerProbe.firstLine(address: peer.text, port: 9, timeout: .seconds(5)) }
            let netlink = try RouteNetlink()
            return (
                try netlink.interface(named: "veth-a").index, try netlink.neighbours(),
                try netlink.neighbours(family: .v4), try netlink.neighbours(family: .v6)
            )
        }
        for peer in peers {
            let entry = try XCTUnwrap(all.first { $0.address == peer }, "\(peer) in \(all)")
            XCTAssertEqual(entry.interfaceIndex, index)
            XCTAssertEqual(entry.linkAddressText, peerMAC, "\(entry)")
            XCTAssertTrue(entry.isUsable, "\(entry)")
            // "10.251.104.2 lladdr 6a:..:.. REACHABLE" (or STALE once reachable_time has passed)
            let shown = try lab.a.ip(["neigh", "show", peer.text, "dev", lab.interfaceA]).standardOutput
            XCTAssertTrue(shown.contains("lladdr \(peerMAC) "), shown)
        }
        XCTAssertTrue(v4.contains { $0.address == peers[0] } && v4.allSatisfy { $0.address.family == .v4 }, "\(v4)")
        XCTAssertTrue(v6.contains { $0.address == peers[1] } && v6.allSatisfy { $0.address.family == .v6 }, "\(v6)")
    }

    func testResolveNeighbourFillsAnEntryThatDidNotExist() throws {
        let peers = [lab.ipv4(2), lab.ipv6(2)]
        let peerMAC = try hardwareAddress(of: lab.interfaceB, in: lab.b)
        let (netlink, index, before) = try lab.a.perform {
            let netlink = try RouteNetlink()
            return (netlink, try netlink.interface(named: "veth-a").index, try netlink.neighbours())
        }
        XCTAssertFalse(before.contains { peers.contains($0.address) }, "a fresh namespace has no entry for B yet: \(before)")

        for peer in peers { try netlink.resolveNeighbour(peer, interfaceIndex: index) }
        // One round trip on a veth; 10 s is far more than that.
        var entries = [Neighbour]()
        let resolved = try eventually(within: .seconds(10)) {
            entries = try netlink.neighbours().filter { peers.contains($0.address) }
            return entries.count == 2 && entries.allSatisfy(\.isUsable)
        }
        XCTAssertTrue(resolved, "\(entries)")
        for entry in entries {
            XCTAssertEqual(entry.linkAddressText, peerMAC, "\(entry)")
            XCTAssertEqual(entry.interfaceIndex, index)
        }
    }

    func testResolvingAnAbsentAddressLeavesAnEntryWithoutLinkAddress() throws {
        let absent = [lab.ipv4(77), lab.ipv6(77)]
        let (index, entries) = try lab.a.perform {
            let netlink = try RouteNetlink()
            let index = try netlink.interface(named: "veth-a").index
            for address in absent { try netlink.resolveNeighbour(address, interfaceIndex: index) }
            return (index, try netlink.neighbours().filter { absent.contains($0.address) })
        }
        XCTAssertEqual(Set(entries.map(\.address)), Set(absent))
        for entry in entries {
            XCTAssertEqual(entry.interfaceIndex, index)
            XCTAssertNil(entry.linkAddress, "\(entry)")
            XCTAssertFalse(entry.isUsable)
            // INCOMPLETE while the kernel probes (about 3 s), FAILED after.
            XCTAssertTrue(entry.state == 0x01 || entry.state == 0x20, "\(entry)")
        }
    }

    func testResolvingOnAnUnknownInterfaceIndexIsAClearError() throws {
        let address = lab.ipv4(2)
        let error = try lab.a.perform { () -> NetworkError? in
            do throws(NetworkError) {
                try RouteNetlink().resolveNeighbour(address, interfaceIndex: 99_999)
                return nil
            } catch {
                return error
            }
        }
        let failure = try XCTUnwrap(error, "the kernel accepted interface index 99999")
        guard case let .netlinkRequest(_, interface, code, _) = failure else { return XCTFail("\(failure)") }
        XCTAssertEqual(code, ENODEV)
        XCTAssertEqual(interface, "interface index 99999")
        XCTAssertTrue("\(failure)".hasPrefix("rtnetlink RTM_NEWNEIGH 10.251.104.2 use on interface index 99999 failed: No such device"), "\(failure)")
    }

    /// The `address` of `ip -j link show dev INTERFACE` in `namespace`, e.g. `6a:3c:..`.
    private func hardwareAddress(of interface: String, in namespace: NetworkNamespace) throws -> String {
        let output = try namespace.ip(["-j", "link", "show", "dev", interface]).standardOutput
        let links = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]], output)
        return try XCTUnwrap(links.first?["address"] as? String, output)
    }
}
