import VipdCore
import VipdVRRPPacket
import XCTest

@testable import VipdNet

/// The ARP and neighbour-advertisement frames and the Internet checksum, byte by byte.
final class FrameTests: XCTestCase {
    let mac: [UInt8] = [0x02, 0x11, 0x22, 0x33, 0x44, 0x55]

    func testChecksumMatchesRFC1071() {
        XCTAssertEqual(InternetChecksum.of([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]), 0x220d)
        XCTAssertEqual(InternetChecksum.of([0x01]), ~UInt16(0x0100), "an odd byte is padded with zero")
        XCTAssertEqual(InternetChecksum.of([]), 0xffff)
    }

    func testGratuitousARPFrame() {
        let frame = AddressAnnouncer.gratuitousARPFrame(hardwareAddress: mac, address: IPAddress("10.251.103.100")!)
        XCTAssertEqual(frame, [
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 0x08, 0x06,
            0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01,
            0x02, 0x11, 0x22, 0x33, 0x44, 0x55, 10, 251, 103, 100,
            0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 10, 251, 103, 100,
        ])
    }

    func testNeighborAdvertisementFrame() {
        let source = IPAddress("fe80::11:22ff:fe33:4455")!
        let target = IPAddress("fd00:251:103::100")!
        let frame = AddressAnnouncer.neighborAdvertisementFrame(hardwareAddress: mac, source: source, target: target, isRouter: false)
        XCTAssertEqual(frame.count, 14 + 40 + 32)
        XCTAssertEqual(Array(frame[0..<14]), [0x33, 0x33, 0, 0, 0, 1] + mac + [0x86, 0xdd])
        let ip = Array(frame[14..<54])
        XCTAssertEqual(Array(ip[0..<8]), [0x60, 0, 0, 0, 0, 32, 58, 255], "version 6, payload 32, ICMPv6, hop limit 255")
        XCTAssertEqual(Array(ip[8..<24]), source.bytes)
        XCTAssertEqual(Array(ip[24..<40]), IPAddress("ff02::1")!.bytes)
        let icmp = Array(frame[54...])
        XCTAssertEqual(icmp[0], 136, "neighbour advertisement")
        XCTAssertEqual(icmp[1], 0)
        XCTAssertEqual(Array(icmp[4..<8]), [0x20, 0, 0, 0], "override only: not router, not solicited")
        XCTAssertEqual(Array(icmp[8..<24]), target.bytes)
        XCTAssertEqual(Array(icmp[24..<32]), [2, 1] + mac, "target link-layer address option")
        XCTAssertEqual(
            InternetChecksum.ipv6(source: source, destination: IPAddress("ff02::1")!, nextHeader: 58, message: icmp), 0,
            "a correct checksum makes the sum over the message verify to zero"
        )
        let router = AddressAnnouncer.neighborAdvertisementFrame(hardwareAddress: mac, source: source, target: target, isRouter: true)
        XCTAssertEqual(Array(router[58..<62]), [0xa0, 0, 0, 0], "router and override")
    }

    func testErrorsNameTheCallTheInterfaceAndErrnoText() {
        XCTAssertEqual(
            NetworkError.systemCall("setsockopt(IP_ADD_MEMBERSHIP 224.0.0.18)", interface: "eth1", errno: ENODEV).description,
            "setsockopt(IP_ADD_MEMBERSHIP 224.0.0.18) on eth1 failed: No such device (errno 19)"
        )
        XCTAssertEqual(
            NetworkError.netlinkRequest("RTM_NEWADDR 10.0.0.5/24", interface: "interface index 9", errno: ENODEV, reason: nil).description,
            "rtnetlink RTM_NEWADDR 10.0.0.5/24 on interface index 9 failed: No such device (errno 19)"
        )
        XCTAssertEqual(NetworkError.interfaceNotFound("eth9").description, "no network interface named 'eth9' in this network namespace")
    }

    func testVRRPSocketRejectsASourceOfTheOtherFamily() {
        let interface = NetworkInterface(
            name: "eth0", index: 2, hardwareAddress: mac, isAdministrativelyUp: true, hasCarrier: true, mtu: 1500, operationalState: .up
        )
        XCTAssertThrowsError(try VRRPSocket(family: .v6, interface: interface, sourceAddress: IPAddress("10.0.0.1")!, joinMulticast: true)) { error in
            guard case .invalidArgument(let text) = error as? NetworkError else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("10.0.0.1 is not IPv6"), text)
        }
    }
}
