import VipdCore
import VipdVRRPPacket
import VipdLab
import XCTest

@testable import VipdNet

/// VRRP packets between two namespaces over real raw sockets, multicast and unicast.
final class VRRPSocketTests: XCTestCase {
    private var lab: VethLab!

    override func setUpWithError() throws {
        try VethLab.requireAvailable()
        lab = try VethLab(subnet: 102)
    }

    override func tearDown() {
        lab?.delete()
    }

    func testIPv4MulticastAndUnicastArriveWithSourceDestinationAndTTL255() async throws {
        let (sourceA, sourceB, vip) = (lab.ipv4(1), lab.ipv4(2), lab.ipv4(100))
        let a = try lab.a.perform { try Self.socket(.v4, "veth-a", sourceA) }
        let b = try lab.b.perform { try Self.socket(.v4, "veth-b", sourceB) }
        defer { a.close(); b.close() }
        XCTAssertEqual(a.sourceAddress, sourceA)

        let group = VRRPPacketCodec.multicastGroup(.v4)
        XCTAssertEqual(group.text, "224.0.0.18")
        let multicast = Self.advertisement(source: sourceA, destination: group, virtualAddress: vip)
        try a.send(multicast, to: group)
        let received = await firstElement(of: b.datagrams, within: .seconds(3)) { _ in true }
        let datagram = try XCTUnwrap(received, "no multicast advertisement within 3 s")
        XCTAssertEqual(datagram, VRRPDatagram(
            message: multicast, source: sourceA, destination: group, hopLimit: 255, interfaceIndex: b.interface.index
        ))

        let unicast = Self.advertisement(source: sourceA, destination: sourceB, virtualAddress: vip)
        try a.send(unicast, to: sourceB)
        let second = await firstElement(of: b.datagrams, within: .seconds(3)) { _ in true }
        XCTAssertEqual(second, VRRPDatagram(
            message: unicast, source: sourceA, destination: sourceB, hopLimit: 255, interfaceIndex: b.interface.index
        ))
        XCTAssertEqual(b.receivedCount, 2)
        try await Task.sleep(for: .milliseconds(200))
        XCTAssertEqual(a.receivedCount, 0, "IP_MULTICAST_LOOP 0: the sender never reads its own advertisements")
    }

    func testIPv6MulticastFromTheLinkLocalAddressAndUnicastToAGlobalOne() async throws {
        let (globalB, vip) = (lab.ipv6(2), lab.ipv6(100))
        let a = try lab.a.perform { () throws -> VRRPSocket in
            let netlink = try RouteNetlink()
            let interface = try netlink.interface(named: "veth-a")
            guard let linkLocal = try netlink.primaryAddress(interfaceIndex: interface.index, family: .v6) else {
                throw NetworkError.noLinkLocalAddress(interface: "veth-a")
            }
            return try VRRPSocket(family: .v6, interface: interface, sourceAddress: linkLocal, joinMulticast: true)
        }
        let b = try lab.b.perform { () throws -> VRRPSocket in
            let netlink = try RouteNetlink()
            let interface = try netlink.interface(named: "veth-b")
            guard let linkLocal = try netlink.primaryAddress(interfaceIndex: interface.index, family: .v6) else {
                throw NetworkError.noLinkLocalAddress(interface: "veth-b")
            }
            return try VRRPSocket(family: .v6, interface: interface, sourceAddress: linkLocal, joinMulticast: true)
        }
        defer { a.close(); b.close() }
        XCTAssertTrue(a.sourceAddress.isIPv6LinkLocal)

        let group = VRRPPacketCodec.multicastGroup(.v6)
        XCTAssertEqual(group.text, "ff02::12")
        let multicast = Self.advertisement(source: a.sourceAddress, destination: group, virtualAddress: vip)
        try a.send(multicast, to: group)
        let received = await firstElement(of: b.datagrams, within: .seconds(3)) { _ in true }
        let datagram = try XCTUnwrap(received, "no multicast advertisement within 3 s")
        XCTAssertEqual(datagram, VRRPDatagram(
            message: multicast, source: a.sourceAddress, destination: group, hopLimit: 255, interfaceIndex: b.interface.index
        ))

        let unicast = Self.advertisement(source: a.sourceAddress, destination: globalB, virtualAddress: vip)
        try a.send(unicast, to: globalB)
        let second = await firstElement(of: b.datagrams, within: .seconds(3)) { _ in true }
        XCTAssertEqual(second, VRRPDatagram(
            message: unicast, source: a.sourceAddress, destination: globalB, hopLimit: 255, interfaceIndex: b.interface.index
        ))
        XCTAssertEqual(b.receivedCount, 2)
        XCTAssertEqual(a.receivedCount, 0)
    }

    func testUnicastOnlySocketStillReceivesUnicast() async throws {
        let (sourceA, sourceB, vip) = (lab.ipv4(1), lab.ipv4(2), lab.ipv4(100))
        let a = try lab.a.perform { try Self.socket(.v4, "veth-a", sourceA, joinMulticast: false) }
        let b = try lab.b.perform { try Self.socket(.v4, "veth-b", sourceB, joinMulticast: false) }
        defer { a.close(); b.close() }
        let message = Self.advertisement(source: sourceA, destination: sourceB, virtualAddress: vip)
        try a.send(message, to: sourceB)
        let received = await firstElement(of: b.datagrams, within: .seconds(3)) { _ in true }
        XCTAssertEqual(received?.destination, sourceB)
        XCTAssertEqual(received?.message, message)
    }

    func testCloseEndsTheStreamPromptlyAndLaterSendsFail() async throws {
        let source = lab.ipv4(2)
        let b = try lab.b.perform { try Self.socket(.v4, "veth-b", source) }
        let consumer = Task { await firstElement(of: b.datagrams, within: .seconds(10)) { _ in true } }
        try await Task.sleep(for: .milliseconds(50))
        let start = ContinuousClock.now
        b.close()
        let received = await consumer.value
        XCTAssertNil(received)
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5), "the stream ends at close, not when the 10 s wait runs out")
        XCTAssertThrowsError(try b.send([0x31], to: VRRPPacketCodec.multicastGroup(.v4))) { error in
            XCTAssertEqual(error as? NetworkError, .closed("VRRP socket on veth-b"))
        }
        b.close()
    }

    private static func socket(_ family: IPAddress.Family, _ name: String, _ source: IPAddress, joinMulticast: Bool = true) throws -> VRRPSocket {
        let interface = try RouteNetlink().interface(named: name)
        return try VRRPSocket(family: family, interface: interface, sourceAddress: source, joinMulticast: joinMulticast)
    }

    /// A minimal valid VRRPv3 advertisement (RFC 5798 §5.1): version 3, type 1, VRID 51,
    /// priority 100, one address, interval 100 cs, checksum over the IP pseudo-header.
    private static func advertisement(source: IPAddress, destination: IPAddress, virtualAddress: IPAddress) -> [UInt8] {
        var message: [UInt8] = [0x31, 51, 100, 1, 0x00, 0x64, 0, 0] + virtualAddress.bytes
        let checksum: UInt16
        if source.family == .v4 {
            var pseudoHeader = source.bytes + destination.bytes + [0, 112]
            pseudoHeader.appendNetworkOrder(UInt16(message.count))
            checksum = InternetChecksum.of(pseudoHeader + message)
        } else {
            checksum = InternetChecksum.ipv6(source: source, destination: destination, nextHeader: 112, message: message)
        }
        message[6] = UInt8(checksum >> 8)
        message[7] = UInt8(checksum & 0xff)
        return message
    }
}
