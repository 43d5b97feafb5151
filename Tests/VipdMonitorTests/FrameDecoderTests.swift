import VipdCore
import VipdMonitor
import VipdVRRPPacket
import XCTest

/// The frame decoder on every link type and protocol it reads, and on every truncation and random bytes.
final class FrameDecoderTests: XCTestCase {
    func testAdvertisementInAPaddedEthernetFrame() throws {
        let frame = WireFrames.advertisement(from: "10.251.2.11", priority: 150, vips: ["10.251.2.100"])
        XCTAssertEqual(frame.count, 60, "padded like a NIC pads short frames")
        guard case .packet(.advertisement(let sighting)) = FrameDecoder.decode(frame, link: .ethernet) else {
            return XCTFail("\(FrameDecoder.decode(frame, link: .ethernet))")
        }
        XCTAssertEqual(sighting.sourceMAC, WireFrames.mac(11))
        XCTAssertEqual(sighting.packet.source, IPAddress("10.251.2.11"))
        XCTAssertEqual(sighting.packet.destination, VRRPPacketCodec.ipv4MulticastGroup)
        XCTAssertEqual(sighting.packet.advertisement.priority, 150)
        XCTAssertEqual(sighting.packet.advertisement.addresses, [IPAddress("10.251.2.100")!])
        XCTAssertTrue(sighting.packet.checksumIsValid)
    }

    func testWrongTTLAndBadChecksumAreKeptForTheAnalyzer() throws {
        let frame = WireFrames.advertisement(from: "10.251.2.11", ttl: 64, corruptChecksum: true)
        guard case .packet(.advertisement(let sighting)) = FrameDecoder.decode(frame, link: .ethernet) else {
            return XCTFail("not decoded")
        }
        XCTAssertEqual(sighting.packet.hopLimit, 64)
        XCTAssertFalse(sighting.packet.checksumIsValid)
    }

    func testIPv6AdvertisementAndVLANTag() throws {
        var frame = WireFrames.advertisement(from: "fd00:251:2::11", vips: ["fd00:251:2::100"])
        frame.insert(contentsOf: [0x81, 0x00, 0x00, 0x64], at: 12)  // 802.1Q VLAN 100
        guard case .packet(.advertisement(let sighting)) = FrameDecoder.decode(frame, link: .ethernet) else {
            return XCTFail("not decoded")
        }
        XCTAssertEqual(sighting.packet.source, IPAddress("fd00:251:2::11"))
        XCTAssertEqual(sighting.packet.destination, VRRPPacketCodec.ipv6MulticastGroup)
    }

    func testLinuxCookedCapturesAndRawIP() throws {
        let ethernet = WireFrames.advertisement(from: "10.251.2.11")
        let ip = Array(ethernet[14...])
        let sll: [UInt8] = [0, 0, 0, 1, 0, 6] + WireFrames.mac(11).bytes + [0, 0] + [0x08, 0x00] + ip
        let sll2: [UInt8] = [0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6] + WireFrames.mac(11).bytes + [0, 0] + ip
        for (frame, link) in [(sll, LinkLayer.linuxCooked), (sll2, .linuxCooked2)] {
            guard case .packet(.advertisement(let sighting)) = FrameDecoder.decode(frame, link: link) else {
                return XCTFail("\(link) not decoded")
            }
            XCTAssertEqual(sighting.sourceMAC, WireFrames.mac(11), "\(link)")
        }
        guard case .packet(.advertisement(let sighting)) = FrameDecoder.decode(ip, link: .rawIP) else {
            return XCTFail("raw IP not decoded")
        }
        XCTAssertNil(sighting.sourceMAC)
        XCTAssertEqual(LinkLayer(dataLinkType: 1), .ethernet)
        XCTAssertEqual(LinkLayer(dataLinkType: 276), .linuxCooked2)
        XCTAssertNil(LinkLayer(dataLinkType: 147), "a user DLT is not supported")
    }

    func testARPRepliesAndGratuitousARPAreClaimsRequestsAndProbesAreNot() {
        let mac = WireFrames.mac(11)
        let reply = WireFrames.arp(operation: 2, senderMAC: mac, senderIP: "10.251.2.100", targetIP: "10.251.2.2")
        let gratuitous = WireFrames.arp(operation: 1, senderMAC: mac, senderIP: "10.251.2.100", targetIP: "10.251.2.100")
        let request = WireFrames.arp(operation: 1, senderMAC: mac, senderIP: "10.251.2.2", targetIP: "10.251.2.100")
        let probe = WireFrames.arp(operation: 1, senderMAC: mac, senderIP: "0.0.0.0", targetIP: "10.251.2.100")
        XCTAssertEqual(
            FrameDecoder.decode(reply, link: .ethernet),
            .packet(.addressClaim(AddressClaim(address: IPAddress("10.251.2.100")!, mac: mac, kind: .arpReply))))
        XCTAssertEqual(
            FrameDecoder.decode(gratuitous, link: .ethernet),
            .packet(.addressClaim(AddressClaim(address: IPAddress("10.251.2.100")!, mac: mac, kind: .gratuitousARP))))
        XCTAssertEqual(FrameDecoder.decode(request, link: .ethernet), .ignored)
        XCTAssertEqual(FrameDecoder.decode(probe, link: .ethernet), .ignored)
    }

    func testNeighbourAdvertisementUsesTheTargetLinkLayerOptionElseTheFrameSource() {
        let withOption = WireFrames.neighborAdvertisement(target: "fd00:251:2::100", mac: WireFrames.mac(11))
        let expected = FrameVerdict.packet(
            .addressClaim(AddressClaim(address: IPAddress("fd00:251:2::100")!, mac: WireFrames.mac(11), kind: .neighborAdvertisement)))
        XCTAssertEqual(FrameDecoder.decode(withOption, link: .ethernet), expected)
        let withoutOption = WireFrames.neighborAdvertisement(target: "fd00:251:2::100", mac: WireFrames.mac(11), withOption: false)
        XCTAssertEqual(FrameDecoder.decode(withoutOption, link: .ethernet), expected)
    }

    func testICMPUnreachableQuotingVRRPIsARejection() {
        let advert = WireFrames.advertisement(from: "10.251.2.11", to: "10.251.2.12")
        let icmp = WireFrames.icmpUnreachable(from: "10.251.2.12", code: 2, quoting: advert)
        XCTAssertEqual(
            FrameDecoder.decode(icmp, link: .ethernet),
            .packet(.vrrpRejection(VRRPRejection(
                reporter: IPAddress("10.251.2.12")!, rejectedSender: IPAddress("10.251.2.11")!,
                rejectedDestination: IPAddress("10.251.2.12")!, reason: "protocol unreachable"))))
    }

    func testOtherTrafficIsIgnoredAndMalformedVRRPIsReported() {
        let udp = WireFrames.ethernet(
            destination: WireFrames.broadcast, source: WireFrames.mac(2).bytes, etherType: 0x0800,
            payload: WireFrames.ipv4([0, 53, 0, 53, 0, 8, 0, 0], source: IPAddress("10.251.2.2")!, destination: IPAddress("10.251.2.3")!, protocolNumber: 17, ttl: 64))
        XCTAssertEqual(FrameDecoder.decode(udp, link: .ethernet), .ignored)
        var zeroVRID = WireFrames.advertisement(from: "10.251.2.11")
        zeroVRID[14 + 20 + 1] = 0
        guard case .packet(.malformedAdvertisement(let malformed)) = FrameDecoder.decode(zeroVRID, link: .ethernet) else {
            return XCTFail("not reported as malformed")
        }
        XCTAssertEqual(malformed.source, IPAddress("10.251.2.11"))
        // The checksum is not enforced, so the structural check is the one that reports.
        XCTAssertEqual(malformed.error, .invalidVirtualRouterID)
    }

    func testEveryTruncationOfEveryKindOfFrameIsHandled() {
        let frames = [
            WireFrames.advertisement(from: "10.251.2.11", vips: ["10.251.2.100", "10.251.2.101"], version: .v2,
                authentication: .simplePassword(Array("secret".utf8))),
            WireFrames.advertisement(from: "fd00:251:2::11", vips: ["fd00:251:2::100"]),
            WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(11), senderIP: "10.251.2.100", targetIP: "10.251.2.2"),
            WireFrames.neighborAdvertisement(target: "fd00:251:2::100", mac: WireFrames.mac(11)),
            WireFrames.icmpUnreachable(from: "10.251.2.12", code: 2, quoting: WireFrames.advertisement(from: "10.251.2.11")),
        ]
        for frame in frames {
            for length in 0..<frame.count {
                for link in [LinkLayer.ethernet, .linuxCooked, .linuxCooked2, .rawIP] {
                    _ = FrameDecoder.decode(Array(frame[..<length]), link: link)  // must not trap
                }
            }
        }
        XCTAssertEqual(FrameDecoder.decode([], link: .ethernet), .skipped(reason: "truncated_link_header"))
        XCTAssertEqual(FrameDecoder.decode(Array(frames[0][..<30]), link: .ethernet), .skipped(reason: "truncated"))
        XCTAssertEqual(FrameDecoder.decode(Array(frames[0][..<40]), link: .ethernet), .skipped(reason: "ip_length_mismatch"))
    }
}
