import Testing
import VipdCore
import VipdVRRPPacket

/// The field layout of RFC 3768 section 5 and RFC 5798 section 5, on bytes built by hand.
@Suite("RFC field layout")
struct WireLayoutTests {
    let source4 = ip("10.251.90.1")
    let source6 = ip("fe80::25:19ff:fe00:1")

    /// Checks that `advertisement` encodes to `message` and that `message` decodes back to it.
    private func expectWire(
        _ advertisement: VRRPAdvertisement, _ message: [UInt8], source: IPAddress, destination: IPAddress,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let encoded = VRRPPacketCodec.encode(advertisement, source: source, destination: destination)
        #expect(encoded == message, sourceLocation: sourceLocation)
        let decoded = try VRRPPacketCodec.decode(message, source: source, destination: destination, hopLimit: 255)
        #expect(
            decoded
                == VRRPReceivedPacket(
                    advertisement: advertisement, source: source, destination: destination, hopLimit: 255),
            sourceLocation: sourceLocation)
    }

    @Test func version2IPv4WithoutAuthentication() throws {
        let advertisement = VRRPAdvertisement(
            version: .v2, virtualRouterID: 7, priority: 120, interval: .seconds(5),
            addresses: [ip("10.251.90.10"), ip("10.251.90.11")])
        let message: [UInt8] = [
            0x21, 7, 120, 2,  // version 2, type 1 | VRID | priority | count
            0, 5, 0x9C, 0xE5,  // auth type 0 | adver int 5 s | checksum over the message alone
            10, 251, 90, 10,
            10, 251, 90, 11,
            0, 0, 0, 0, 0, 0, 0, 0,  // authentication data: zeros, as keepalived sends
        ]
        #expect(message == withVRRPChecksum(message, source: source4, destination: vrrpGroup4))
        try expectWire(advertisement, message, source: source4, destination: vrrpGroup4)
        // VRRPv2's checksum does not cover any IP address: a unicast destination changes nothing.
        try expectWire(advertisement, message, source: source4, destination: ip("10.251.90.2"))
    }

    @Test func version2PasswordIsZeroPaddedToEightBytes() throws {
        let advertisement = VRRPAdvertisement(
            version: .v2, virtualRouterID: 200, priority: 255, interval: .seconds(255),
            addresses: [ip("10.251.90.10")], authentication: .simplePassword(Array("pw".utf8)))
        let message = withVRRPChecksum(
            [
                0x21, 200, 255, 1,
                1, 255, 0, 0,  // auth type 1 (simple text password) | adver int 255 s
                10, 251, 90, 10,
                0x70, 0x77, 0, 0, 0, 0, 0, 0,  // "pw" and six zero bytes
            ], source: source4, destination: vrrpGroup4)
        try expectWire(advertisement, message, source: source4, destination: vrrpGroup4)
    }

    @Test func version2PasswordKeepsZeroBytesBeforeItsEnd() throws {
        let password: [UInt8] = [0x61, 0, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67]  // 8 bytes, no padding
        let advertisement = VRRPAdvertisement(
            version: .v2, virtualRouterID: 1, priority: 1, interval: .seconds(1), addresses: [ip("10.0.0.1")],
            authentication: .simplePassword(password))
        let message = withVRRPChecksum(
            [0x21, 1, 1, 1, 1, 1, 0, 0, 10, 0, 0, 1] + password, source: source4, destination: vrrpGroup4)
        try expectWire(advertisement, message, source: source4, destination: vrrpGroup4)
    }

    @Test func version2EmptyPasswordIsEightZeroBytesWithAuthTypeOne() throws {
        let advertisement = VRRPAdvertisement(
            version: .v2, virtualRouterID: 9, priority: 100, interval: .seconds(2), addresses: [],
            authentication: .simplePassword([]))
        let message = withVRRPChecksum(
            [0x21, 9, 100, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], source: source4, destination: vrrpGroup4)
        try expectWire(advertisement, message, source: source4, destination: vrrpGroup4)
    }

    @Test func version3IPv4CentisecondInterval() throws {
        let advertisement = VRRPAdvertisement(
            version: .v3, virtualRouterID: 42, priority: 100, interval: .milliseconds(1500),
            addresses: [ip("10.251.90.100")])
        let message: [UInt8] = [
            0x31, 42, 100, 1,  // version 3, type 1 | VRID | priority | count
            0x00, 0x96, 0xBF, 0x53,  // reserved 0 + max adver int 150 cs | checksum with pseudo-header
            10, 251, 90, 100,
        ]
        #expect(message == withVRRPChecksum(message, source: source4, destination: vrrpGroup4))
        try expectWire(advertisement, message, source: source4, destination: vrrpGroup4)
    }

    @Test func version3IPv4ChecksumCoversTheUnicastDestination() throws {
        let advertisement = VRRPAdvertisement(
            version: .v3, virtualRouterID: 42, priority: 100, interval: .seconds(1), addresses: [ip("10.251.90.100")])
        let toGroup = encoded(advertisement, source4, vrrpGroup4)
        let toPeer = encoded(advertisement, source4, ip("10.251.90.2"))
        #expect(toGroup != toPeer)
        #expect(toPeer == withVRRPChecksum(toPeer, source: source4, destination: ip("10.251.90.2")))
    }

    @Test func version3IPv6MaximumInterval() throws {
        let first = ip("fd00:251:90::100")
        let second = ip("2001:db8::1")
        let advertisement = VRRPAdvertisement(
            version: .v3, virtualRouterID: 255, priority: 254, interval: .milliseconds(40_950),
            addresses: [first, second])
        let message = withVRRPChecksum(
            [
                0x31, 255, 254, 2,
                0x0F, 0xFF, 0, 0,  // max adver int 4095 cs, the 12-bit maximum
            ] + first.bytes + second.bytes, source: source6, destination: vrrpGroup6)
        #expect(message.count == 8 + 2 * 16)
        try expectWire(advertisement, message, source: source6, destination: vrrpGroup6)
    }

    @Test func version3ReservedBitsAreIgnoredOnReception() throws {
        let message = withVRRPChecksum(
            [0x31, 5, 100, 1, 0xF0, 100, 0, 0, 10, 251, 90, 100], source: source4, destination: vrrpGroup4)
        let decoded = try VRRPPacketCodec.decode(message, source: source4, destination: vrrpGroup4, hopLimit: 255)
        #expect(decoded.advertisement.interval == .seconds(1))
    }

    @Test func version2AuthenticationDataIsIgnoredWithAuthTypeNone() throws {
        let message = withVRRPChecksum(
            [0x21, 5, 100, 1, 0, 1, 0, 0, 10, 251, 90, 100] + Array("garbage!".utf8),
            source: source4, destination: vrrpGroup4)
        let decoded = try VRRPPacketCodec.decode(message, source: source4, destination: vrrpGroup4, hopLimit: 255)
        #expect(decoded.advertisement.authentication == VRRPAuthentication.none)
    }

    @Test func zeroAddressesAreAllowed() throws {
        let advertisement = VRRPAdvertisement(
            version: .v3, virtualRouterID: 3, priority: 100, interval: .seconds(1), addresses: [])
        let message = withVRRPChecksum([0x31, 3, 100, 0, 0, 100, 0, 0], source: source6, destination: vrrpGroup6)
        try expectWire(advertisement, message, source: source6, destination: vrrpGroup6)
    }

    @Test func datagramDecodersReadTheIPHeader() throws {
        let message4 = encoded(
            VRRPAdvertisement(version: .v2, virtualRouterID: 1, priority: 100, interval: .seconds(1), addresses: []),
            source4, vrrpGroup4)
        let withOptions = ipv4DatagramWithRouterAlertOption(message4, source: source4, destination: vrrpGroup4)
        let decoded4 = try VRRPPacketCodec.decodeIPv4Datagram(withOptions)
        #expect(decoded4.source == source4)
        #expect(decoded4.destination == vrrpGroup4)
        #expect(decoded4.advertisement.virtualRouterID == 1)

        let message6 = encoded(
            VRRPAdvertisement(version: .v3, virtualRouterID: 2, priority: 100, interval: .seconds(1), addresses: []),
            source6, vrrpGroup6)
        let decoded6 = try VRRPPacketCodec.decodeIPv6Packet(
            ipv6Packet(message6, source: source6, destination: vrrpGroup6))
        #expect(decoded6.source == source6)
        #expect(decoded6.destination == vrrpGroup6)
        #expect(decoded6.hopLimit == 255)
    }

    /// An IPv4 datagram with a 4-byte Router Alert option (IHL 6), to show options are skipped.
    private func ipv4DatagramWithRouterAlertOption(
        _ payload: [UInt8], source: IPAddress, destination: IPAddress
    ) -> [UInt8] {
        var header: [UInt8] = [0x46, 0xC0] + bigEndian(24 + payload.count, count: 2) + [0, 0, 0, 0]
        header += [255, 112, 0, 0] + source.bytes + destination.bytes + [0x94, 0x04, 0, 0]
        let checksum = internetChecksum(header)
        header[10] = UInt8(checksum >> 8)
        header[11] = UInt8(checksum & 0xFF)
        return header + payload
    }
}
