import Testing
import VipdVRRPPacket

/// The one IP header parser of the speaker's socket, the datagram decoders and the monitor.
@Suite("IP header")
struct IPHeaderTests {
    private let payload: [UInt8] = [0x31, 51, 100, 0, 0, 100, 0, 0]

    @Test func ipv4HeaderFieldsAndWhereThePacketEnds() throws {
        let datagram = ipv4Datagram(payload, source: ip("10.254.2.12"), destination: ip("10.254.1.11"), ttl: 63)
        // Ethernet pads short frames: bytes after the total length are not part of the packet.
        let header = try IPHeader.ipv4(datagram + [0, 0, 0, 0])
        #expect(header.source == ip("10.254.2.12"))
        #expect(header.destination == ip("10.254.1.11"))
        #expect(header.hopLimit == 63)
        #expect(header.protocolNumber == 112)
        #expect(header.headerLength == 20)
        #expect(header.packetLength == 28)
        #expect(!header.isFragment)
    }

    @Test func ipv6HeaderFieldsAndWhereThePacketEnds() throws {
        let packet = ipv6Packet(payload, source: ip("fe80::1"), destination: vrrpGroup6, hopLimit: 7, nextHeader: 58)
        let header = try IPHeader.ipv6(packet + [0, 0])
        #expect(header.source == ip("fe80::1"))
        #expect(header.destination == vrrpGroup6)
        #expect(header.hopLimit == 7)
        #expect(header.protocolNumber == 58)
        #expect(header.headerLength == 40)
        #expect(header.packetLength == 48)
    }

    @Test func fragmentsAreFlagged() throws {
        var datagram = ipv4Datagram(payload, source: ip("10.0.0.1"), destination: vrrpGroup4)
        datagram[7] = 1
        datagram[10] = 0
        datagram[11] = 0
        let checksum = InternetChecksum.of(datagram[..<20])
        datagram[10] = UInt8(checksum >> 8)
        datagram[11] = UInt8(checksum & 0xFF)
        #expect(try IPHeader.ipv4(datagram).isFragment)
    }

    @Test func packetsShorterThanTheirHeaderSaysAreRefused() {
        let datagram = ipv4Datagram(payload, source: ip("10.0.0.1"), destination: vrrpGroup4)
        #expect(throws: VRRPPacketError.ipLengthMismatch(declared: 28, received: 27)) { try IPHeader.ipv4(datagram.dropLast()) }
        #expect(throws: VRRPPacketError.truncated(length: 19, needed: 20)) { try IPHeader.ipv4(datagram.prefix(19)) }
        let packet = ipv6Packet(payload, source: ip("fe80::1"), destination: vrrpGroup6)
        #expect(throws: VRRPPacketError.ipLengthMismatch(declared: 48, received: 47)) { try IPHeader.ipv6(packet.dropLast()) }
        #expect(throws: VRRPPacketError.notIPv6(version: 4)) { try IPHeader.ipv6(datagram + Array(repeating: 0, count: 20)) }
    }
}
