import CVipdSys
import VipdCore
import VipdVRRPPacket
import VipdLab
import XCTest

@testable import VipdNet

#if canImport(Glibc)
import Glibc
#endif

/// Gratuitous ARP and unsolicited neighbour advertisements sent from A, captured in B with an
/// AF_PACKET socket, and accepted by B's kernel (its neighbour entry moves to A's MAC).
final class AddressAnnouncerTests: XCTestCase {
    private var lab: VethLab!

    override func setUpWithError() throws {
        try VethLab.requireAvailable()
        lab = try VethLab(subnet: 103)
    }

    override func tearDown() {
        lab?.delete()
    }

    func testGratuitousARPIsABroadcastRequestForTheVIPFromOurMAC() throws {
        let vip = lab.ipv4(100)
        try lab.b.ip(["neigh", "add", vip.text, "lladdr", "02:00:00:00:00:99", "dev", "veth-b", "nud", "stale"])
        let capture = try lab.b.perform { try FrameCapture(interface: "veth-b") }
        let announcer = try lab.a.perform { try AddressAnnouncer(interface: RouteNetlink().interface(named: "veth-a")) }
        let mac = announcer.interface.hardwareAddress

        try announcer.gratuitousARP(for: vip)
        let captured = try capture.next(within: .seconds(3)) { frame in
            frame.count >= 42 && frame[12] == 0x08 && frame[13] == 0x06 && Array(frame[28..<32]) == vip.bytes
        }
        let frame = try XCTUnwrap(captured, "no ARP for \(vip) seen in B within 3 s")
        XCTAssertEqual(Array(frame[0..<6]), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], "broadcast")
        XCTAssertEqual(Array(frame[6..<12]), mac)
        XCTAssertEqual(Array(frame[14..<20]), [0, 1, 0x08, 0x00, 6, 4], "Ethernet / IPv4")
        XCTAssertEqual(Array(frame[20..<22]), [0, 1], "opcode 1: request")
        XCTAssertEqual(Array(frame[22..<28]), mac, "sender MAC")
        XCTAssertEqual(Array(frame[28..<32]), vip.bytes, "sender IP")
        XCTAssertEqual(Array(frame[38..<42]), vip.bytes, "target IP")

        let updated = try eventually(within: .seconds(3)) {
            try lab.b.ip(["neigh", "show", vip.text, "dev", "veth-b"]).standardOutput.contains("lladdr \(announcer.interface.hardwareAddressText)")
        }
        XCTAssertTrue(updated, "B's ARP entry for the VIP did not move to A's MAC")
    }

    func testUnsolicitedNeighborAdvertisementIsAcceptedByThePeer() throws {
        let vip = lab.ipv6(100)
        try lab.b.ip(["-6", "neigh", "add", vip.text, "lladdr", "02:00:00:00:00:99", "dev", "veth-b", "nud", "stale"])
        let capture = try lab.b.perform { try FrameCapture(interface: "veth-b") }
        let (announcer, linkLocal) = try lab.a.perform {
            let netlink = try RouteNetlink()
            let interface = try netlink.interface(named: "veth-a")
            return (try AddressAnnouncer(interface: interface), try netlink.primaryAddress(interfaceIndex: interface.index, family: .v6))
        }
        let mac = announcer.interface.hardwareAddress
        let source = try XCTUnwrap(linkLocal)
        let allNodes = IPAddress("ff02::1")!

        try announcer.unsolicitedNeighborAdvertisement(for: vip)
        let captured = try capture.next(within: .seconds(3)) { frame in
            frame.count >= 86 && frame[12] == 0x86 && frame[13] == 0xdd && frame[20] == 58 && frame[54] == 136
                && Array(frame[62..<78]) == vip.bytes
        }
        let frame = try XCTUnwrap(captured, "no neighbour advertisement for \(vip) seen in B within 3 s")
        XCTAssertEqual(Array(frame[0..<6]), [0x33, 0x33, 0, 0, 0, 1])
        XCTAssertEqual(Array(frame[6..<12]), mac)
        XCTAssertEqual(frame[21], 255, "hop limit")
        XCTAssertEqual(Array(frame[22..<38]), source.bytes, "from A's link-local address")
        XCTAssertEqual(Array(frame[38..<54]), allNodes.bytes)
        XCTAssertEqual(frame[58] & 0xe0, 0x20, "override set, router and solicited clear")
        XCTAssertEqual(Array(frame[78..<86]), [2, 1] + mac, "target link-layer address option")
        XCTAssertEqual(InternetChecksum.ipv6(source: source, destination: allNodes, nextHeader: 58, message: Array(frame[54..<86])), 0)

        let updated = try eventually(within: .seconds(3)) {
            try lab.b.ip(["-6", "neigh", "show", vip.text, "dev", "veth-b"]).standardOutput.contains("lladdr \(announcer.interface.hardwareAddressText)")
        }
        XCTAssertTrue(updated, "B's neighbour entry for the VIP did not move to A's MAC")
    }

    func testAddressesOfTheWrongFamilyAreRejected() throws {
        let announcer = try lab.a.perform { try AddressAnnouncer(interface: RouteNetlink().interface(named: "veth-a")) }
        XCTAssertThrowsError(try announcer.gratuitousARP(for: lab.ipv6(100))) { error in
            guard case .invalidArgument = error as? NetworkError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try announcer.unsolicitedNeighborAdvertisement(for: lab.ipv4(100))) { error in
            guard case .invalidArgument = error as? NetworkError else { return XCTFail("\(error)") }
        }
        let loopback = try lab.a.perform { try RouteNetlink().interface(named: "lo") }
        XCTAssertThrowsError(try lab.a.perform { try AddressAnnouncer(interface: loopback) }) { error in
            XCTAssertTrue("\(error)".contains("lo has no Ethernet address"), "\(error)")
        }
    }
}

/// An `AF_PACKET` socket receiving every frame on one interface (`ETH_P_ALL`), in the
/// namespace of the thread that creates it.
private final class FrameCapture: Sendable {
    private let socket: SharedSocket

    init(interface name: String) throws {
        let index = try RouteNetlink().interface(named: name).index
        let everyProtocol = UInt16(3).bigEndian  // ETH_P_ALL
        socket = try SharedSocket(
            domain: AF_PACKET, type: Int32(SOCK_RAW.rawValue), protocol: Int32(everyProtocol),
            purpose: "capture socket", interfaceName: name, call: "socket(AF_PACKET)"
        )
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = everyProtocol
        address.sll_ifindex = index
        try socket.withDescriptor { (descriptor) throws(NetworkError) in
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_ll>.size)) }
            }
            guard result == 0 else { throw socket.failure("bind(AF_PACKET)") }
        }
    }

    /// The first frame matching `predicate` within `timeout`, or nil.
    func next(within timeout: Duration, where predicate: ([UInt8]) -> Bool) throws -> [UInt8]? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let received = try socket.withDescriptor { (descriptor) throws(NetworkError) in try socket.receiveMessage(descriptor) }
            if let frame = received?.payload {
                if predicate(frame) { return frame }
            } else {
                Thread.sleep(forTimeInterval: 0.01)
            }
        }
        return nil
    }
}
