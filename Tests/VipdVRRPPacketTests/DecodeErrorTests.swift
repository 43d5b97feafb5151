import Testing
import VipdCore
import VipdVRRPPacket

/// One test per `VRRPPacketError` case, each on bytes that are valid but for that one thing
/// (the VRRP checksum refreshed after the patch, unless the checksum is the point).
@Suite("decode errors")
struct DecodeErrorTests {
    let source4 = ip("10.251.90.1")
    let source6 = ip("fe80::25:19ff:fe00:1")

    /// A valid VRRPv2 message: VRID 51, priority 100, 1 s, one address, no authentication.
    var version2: [UInt8] {
        encoded(
            VRRPAdvertisement(
                version: .v2, virtualRouterID: 51, priority: 100, interval: .seconds(1),
                addresses: [ip("10.251.90.100")]),
            source4, vrrpGroup4)
    }

    /// A valid VRRPv3 IPv4 message: VRID 53, priority 100, 1 s, one address.
    var version3: [UInt8] {
        encoded(
            VRRPAdvertisement(
                version: .v3, virtualRouterID: 53, priority: 100, interval: .seconds(1),
                addresses: [ip("10.251.90.103")]),
            source4, vrrpGroup4)
    }

    /// `message` with `patch` applied and the checksum made right again.
    private func patched(_ message: [UInt8], source: IPAddress? = nil, _ patch: (inout [UInt8]) -> Void) -> [UInt8] {
        var message = message
        patch(&message)
        return withVRRPChecksum(
            message, source: source ?? source4, destination: source?.family == .v6 ? vrrpGroup6 : vrrpGroup4)
    }

    private func decode4(_ message: [UInt8], hopLimit: Int = 255) throws(VRRPPacketError) -> VRRPReceivedPacket {
        try VRRPPacketCodec.decode(message, source: source4, destination: vrrpGroup4, hopLimit: hopLimit)
    }

    @Test func baseMessagesAreValid() throws {
        #expect(try decode4(version2).advertisement.virtualRouterID == 51)
        #expect(try decode4(version3).advertisement.virtualRouterID == 53)
    }

    @Test func truncated() {
        #expect(throws: VRRPPacketError.truncated(length: 0, needed: 8)) { try decode4([]) }
        #expect(throws: VRRPPacketError.truncated(length: 7, needed: 8)) { try decode4(Array(version3.prefix(7))) }
        // VRRPv2 without its 8 bytes of authentication data.
        #expect(throws: VRRPPacketError.truncated(length: 12, needed: 16)) { try decode4(Array(version2.prefix(12))) }
        #expect(throws: VRRPPacketError.truncated(length: 19, needed: 20)) {
            try VRRPPacketCodec.decodeIPv4Datagram(Array(repeating: 0x45, count: 19))
        }
        #expect(throws: VRRPPacketError.truncated(length: 39, needed: 40)) {
            try VRRPPacketCodec.decodeIPv6Packet([0x60] + Array(repeating: 0, count: 38))
        }
        // IHL 6 (24 bytes of header) in a 20-byte datagram.
        #expect(throws: VRRPPacketError.truncated(length: 20, needed: 24)) {
            try VRRPPacketCodec.decodeIPv4Datagram([0x46] + Array(repeating: 0, count: 19))
        }
    }

    @Test func unsupportedVersion() {
        #expect(throws: VRRPPacketError.unsupportedVersion(4)) { try decode4(patched(version3) { $0[0] = 0x41 }) }
        #expect(throws: VRRPPacketError.unsupportedVersion(1)) { try decode4(patched(version2) { $0[0] = 0x11 }) }
    }

    @Test func unsupportedType() {
        #expect(throws: VRRPPacketError.unsupportedType(2)) { try decode4(patched(version3) { $0[0] = 0x32 }) }
        #expect(throws: VRRPPacketError.unsupportedType(0)) { try decode4(patched(version2) { $0[0] = 0x20 }) }
    }

    /// The TTL / hop limit is the receive filter's rule (routed unicast is fine): the codec reports it.
    @Test func hopLimitIsReportedNotChecked() throws {
        #expect(try decode4(version2, hopLimit: 254).hopLimit == 254)
        let datagram = try VRRPPacketCodec.decodeIPv4Datagram(
            ipv4Datagram(version3, source: source4, destination: vrrpGroup4, ttl: 64))
        #expect(datagram.hopLimit == 64)
        let message6 = encoded(
            VRRPAdvertisement(version: .v3, virtualRouterID: 1, priority: 1, interval: .seconds(1), addresses: []),
            source6, vrrpGroup6)
        let packet6 = try VRRPPacketCodec.decodeIPv6Packet(
            ipv6Packet(message6, source: source6, destination: vrrpGroup6, hopLimit: 1))
        #expect(packet6.hopLimit == 1)
    }

    @Test func badChecksum() {
        let valid = version3
        let right = UInt16(valid[6]) << 8 | UInt16(valid[7])
        var wrong = valid
        wrong[7] ^= 0x01
        #expect(throws: VRRPPacketError.badChecksum(received: right ^ 0x0001, computed: right)) { try decode4(wrong) }
        // A changed priority under the old checksum.
        var changed = version2
        changed[2] = 101
        let right2 = UInt16(version2[6]) << 8 | UInt16(version2[7])
        let computed = withVRRPChecksum(changed, source: source4, destination: vrrpGroup4)
        #expect(
            throws: VRRPPacketError.badChecksum(
                received: right2, computed: UInt16(computed[6]) << 8 | UInt16(computed[7]))
        ) {
            try decode4(changed)
        }
        // VRRPv3's pseudo-header covers the source: the same bytes from another sender are bad.
        #expect(throws: VRRPPacketError.self) {
            try VRRPPacketCodec.decode(valid, source: ip("10.251.90.9"), destination: vrrpGroup4, hopLimit: 255)
        }
    }

    @Test func addressCountMismatch() {
        // Count 2 with one address.
        #expect(throws: VRRPPacketError.addressCountMismatch(count: 2, addressBytes: 4)) {
            try decode4(patched(version3) { $0[3] = 2 })
        }
        // VRRPv2: count 3, one address plus the authentication data.
        #expect(throws: VRRPPacketError.addressCountMismatch(count: 3, addressBytes: 4)) {
            try decode4(patched(version2) { $0[3] = 3 })
        }
        // An address cut short.
        #expect(throws: VRRPPacketError.addressCountMismatch(count: 1, addressBytes: 2)) {
            try decode4(patched(version3) { $0.removeLast(2) })
        }
    }

    @Test func trailingBytes() {
        #expect(throws: VRRPPacketError.trailingBytes(4)) {
            try decode4(patched(version3) { $0 += [10, 251, 90, 104] })
        }
        #expect(throws: VRRPPacketError.trailingBytes(1)) { try decode4(patched(version2) { $0 += [0] }) }
        // Count 0 with an address left in.
        #expect(throws: VRRPPacketError.trailingBytes(4)) { try decode4(patched(version3) { $0[3] = 0 }) }
    }

    @Test func invalidVirtualRouterID() {
        #expect(throws: VRRPPacketError.invalidVirtualRouterID) { try decode4(patched(version3) { $0[1] = 0 }) }
    }

    @Test func zeroInterval() {
        #expect(throws: VRRPPacketError.zeroInterval) { try decode4(patched(version2) { $0[5] = 0 }) }
        #expect(throws: VRRPPacketError.zeroInterval) {
            try decode4(
                patched(version3) {
                    $0[4] = 0
                    $0[5] = 0
                })
        }
        // Only the reserved bits set: still a zero interval.
        #expect(throws: VRRPPacketError.zeroInterval) {
            try decode4(
                patched(version3) {
                    $0[4] = 0xF0
                    $0[5] = 0
                })
        }
    }

    @Test func version2OverIPv6() {
        let message = withVRRPChecksum(
            [0x21, 1, 100, 1, 0, 1, 0, 0] + ip("fd00::1").bytes + Array(repeating: 0, count: 8),
            source: source6, destination: vrrpGroup6)
        #expect(throws: VRRPPacketError.version2OverIPv6) {
            try VRRPPacketCodec.decode(message, source: source6, destination: vrrpGroup6, hopLimit: 255)
        }
    }

    @Test func unsupportedAuthenticationType() {
        #expect(throws: VRRPPacketError.unsupportedAuthenticationType(2)) {
            try decode4(patched(version2) { $0[4] = 2 })
        }
        #expect(throws: VRRPPacketError.unsupportedAuthenticationType(255)) {
            try decode4(patched(version2) { $0[4] = 255 })
        }
    }

    @Test func mismatchedAddressFamilies() {
        #expect(throws: VRRPPacketError.mismatchedAddressFamilies) {
            try VRRPPacketCodec.decode(version3, source: source4, destination: vrrpGroup6, hopLimit: 255)
        }
    }

    @Test func notIPv4() {
        let message6 = encoded(
            VRRPAdvertisement(version: .v3, virtualRouterID: 1, priority: 1, interval: .seconds(1), addresses: []),
            source6, vrrpGroup6)
        #expect(throws: VRRPPacketError.notIPv4(version: 6)) {
            try VRRPPacketCodec.decodeIPv4Datagram(ipv6Packet(message6, source: source6, destination: vrrpGroup6))
        }
    }

    @Test func notIPv6() {
        #expect(throws: VRRPPacketError.notIPv6(version: 4)) {
            try VRRPPacketCodec.decodeIPv6Packet(
                ipv4Datagram(version3 + Array(repeating: 0, count: 20), source: source4, destination: vrrpGroup4))
        }
    }

    @Test func badIPv4HeaderLength() {
        var datagram = ipv4Datagram(version3, source: source4, destination: vrrpGroup4)
        datagram[0] = 0x44
        #expect(throws: VRRPPacketError.badIPv4HeaderLength(16)) { try VRRPPacketCodec.decodeIPv4Datagram(datagram) }
    }

    @Test func badIPv4HeaderChecksum() {
        var datagram = ipv4Datagram(version3, source: source4, destination: vrrpGroup4)
        let right = UInt16(datagram[10]) << 8 | UInt16(datagram[11])
        datagram[11] ^= 0x10
        #expect(throws: VRRPPacketError.badIPv4HeaderChecksum(received: right ^ 0x0010, computed: right)) {
            try VRRPPacketCodec.decodeIPv4Datagram(datagram)
        }
    }

    @Test func notVRRPProtocol() {
        #expect(throws: VRRPPacketError.notVRRPProtocol(17)) {
            try VRRPPacketCodec.decodeIPv4Datagram(
                ipv4Datagram(version3, source: source4, destination: vrrpGroup4, protocolNumber: 17))
        }
        // An IPv6 hop-by-hop extension header comes before any VRRP: not supported.
        #expect(throws: VRRPPacketError.notVRRPProtocol(0)) {
            try VRRPPacketCodec.decodeIPv6Packet(
                ipv6Packet(version3, source: source6, destination: vrrpGroup6, nextHeader: 0))
        }
    }

    @Test func ipLengthMismatch() {
        let datagram = ipv4Datagram(version3, source: source4, destination: vrrpGroup4)
        #expect(throws: VRRPPacketError.ipLengthMismatch(declared: 32, received: 34)) {
            try VRRPPacketCodec.decodeIPv4Datagram(datagram + [0, 0])
        }
        #expect(throws: VRRPPacketError.ipLengthMismatch(declared: 32, received: 31)) {
            try VRRPPacketCodec.decodeIPv4Datagram(datagram.dropLast())
        }
        let packet = ipv6Packet([0x31, 1, 1, 0, 0, 1, 0, 0], source: source6, destination: vrrpGroup6)
        #expect(throws: VRRPPacketError.ipLengthMismatch(declared: 48, received: 50)) {
            try VRRPPacketCodec.decodeIPv6Packet(packet + [0, 0])
        }
    }

    @Test func fragmented() {
        /// The datagram with flags/fragment offset set to `word` and its header checksum fixed.
        func withFragmentField(_ word: UInt16) -> [UInt8] {
            var datagram = ipv4Datagram(version3, source: source4, destination: vrrpGroup4)
            datagram[6] = UInt8(word >> 8)
            datagram[7] = UInt8(word & 0xFF)
            datagram[10] = 0
            datagram[11] = 0
            let checksum = internetChecksum(Array(datagram[..<20]))
            datagram[10] = UInt8(checksum >> 8)
            datagram[11] = UInt8(checksum & 0xFF)
            return datagram
        }
        #expect(throws: VRRPPacketError.fragmented) {
            try VRRPPacketCodec.decodeIPv4Datagram(withFragmentField(0x2000))
        }
        #expect(throws: VRRPPacketError.fragmented) {
            try VRRPPacketCodec.decodeIPv4Datagram(withFragmentField(0x0001))
        }
        // Don't Fragment alone is fine (keepalived leaves it clear, others set it).
        #expect(throws: Never.self) { try VRRPPacketCodec.decodeIPv4Datagram(withFragmentField(0x4000)) }
    }

    @Test func counterKeysAreShortDistinctAndStable() {
        let errors: [VRRPPacketError] = [
            .truncated(length: 1, needed: 8), .unsupportedVersion(4), .unsupportedType(2),
            .badChecksum(received: 1, computed: 2), .addressCountMismatch(count: 2, addressBytes: 4), .trailingBytes(1),
            .invalidVirtualRouterID, .zeroInterval, .version2OverIPv6, .unsupportedAuthenticationType(2),
            .mismatchedAddressFamilies, .notIPv4(version: 6), .notIPv6(version: 4), .badIPv4HeaderLength(16),
            .badIPv4HeaderChecksum(received: 1, computed: 2), .notVRRPProtocol(17),
            .ipLengthMismatch(declared: 1, received: 2), .fragmented,
        ]
        let keys = errors.map(\.counterKey)
        #expect(Set(keys).count == errors.count)
        for key in keys {
            #expect(!key.isEmpty && key.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(key)")
        }
        #expect(VRRPPacketError.badChecksum(received: 0x1234, computed: 0xABCD).counterKey == "bad_checksum")
        #expect(VRRPPacketError.truncated(length: 0, needed: 8).counterKey == "truncated")
        #expect(
            VRRPPacketError.badChecksum(received: 0x1234, computed: 0x00CD).description
                == "bad VRRP checksum 0x1234 (expected 0x00cd)")
    }
}
