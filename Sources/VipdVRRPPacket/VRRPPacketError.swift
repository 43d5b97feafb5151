/// Why a received packet is not a valid VRRP advertisement: one case per check of RFC 3768
/// section 7.1 and RFC 5798 section 7.1, plus the IP-header checks of the datagram decoders.
public enum VRRPPacketError: Error, Hashable, CustomStringConvertible {
    /// Fewer bytes than the fixed part being read needs: an IP header, the 8-byte VRRP header,
    /// or the 8 bytes of VRRPv2 authentication data.
    case truncated(length: Int, needed: Int)
    /// The VRRP version nibble is neither 2 nor 3.
    case unsupportedVersion(Int)
    /// The VRRP type nibble is not 1 (ADVERTISEMENT).
    case unsupportedType(Int)
    /// The VRRP checksum does not match; `computed` is the value the field should hold.
    case badChecksum(received: UInt16, computed: UInt16)
    /// `count` addresses need more than the `addressBytes` bytes the message has for them.
    case addressCountMismatch(count: Int, addressBytes: Int)
    /// The message goes on for this many bytes after its last address (and VRRPv2 auth data).
    case trailingBytes(Int)
    /// Virtual Router Identifier 0, which RFC 3768 and RFC 5798 do not allow.
    case invalidVirtualRouterID
    /// Adver Int (VRRPv2) or Max Adver Int (VRRPv3) is 0.
    case zeroInterval
    /// A VRRPv2 message arrived over IPv6; VRRPv2 is IPv4 only.
    case version2OverIPv6
    /// A VRRPv2 Auth Type other than 0 (none) and 1 (simple text password); 2 is IP AH.
    case unsupportedAuthenticationType(Int)
    /// The IP source and destination given to `decode` are not of the same family.
    case mismatchedAddressFamilies
    /// `decodeIPv4Datagram` got a packet whose IP version nibble is not 4.
    case notIPv4(version: Int)
    /// `decodeIPv6Packet` got a packet whose IP version nibble is not 6.
    case notIPv6(version: Int)
    /// The IPv4 header length (IHL × 4) is below the 20-byte minimum.
    case badIPv4HeaderLength(Int)
    /// The IPv4 header checksum does not match; `computed` is the value the field should hold.
    case badIPv4HeaderChecksum(received: UInt16, computed: UInt16)
    /// The IPv4 protocol or IPv6 next header is not 112 (VRRP; IPv6 extension headers included).
    case notVRRPProtocol(Int)
    /// The IP header's length (IPv4 total length, or 40 + IPv6 payload length) is not the byte count.
    case ipLengthMismatch(declared: Int, received: Int)
    /// An IPv4 fragment (more-fragments flag or a fragment offset): not a whole VRRP message.
    case fragmented

    /// A short stable key for counters and logs, e.g. "bad_checksum", "truncated".
    public var counterKey: String {
        switch self {
        case .truncated: "truncated"
        case .unsupportedVersion: "bad_version"
        case .unsupportedType: "bad_type"
        case .badChecksum: "bad_checksum"
        case .addressCountMismatch: "address_count_mismatch"
        case .trailingBytes: "trailing_bytes"
        case .invalidVirtualRouterID: "invalid_vrid"
        case .zeroInterval: "zero_interval"
        case .version2OverIPv6: "v2_over_ipv6"
        case .unsupportedAuthenticationType: "bad_auth_type"
        case .mismatchedAddressFamilies: "address_family_mismatch"
        case .notIPv4: "not_ipv4"
        case .notIPv6: "not_ipv6"
        case .badIPv4HeaderLength: "bad_ip_header_length"
        case .badIPv4HeaderChecksum: "bad_ip_header_checksum"
        case .notVRRPProtocol: "not_vrrp"
        case .ipLengthMismatch: "ip_length_mismatch"
        case .fragmented: "fragmented"
        }
    }

    /// One line for a log: what was wrong, with the numbers that show it.
    public var description: String {
        switch self {
        case .truncated(let length, let needed):
            "truncated: \(length) bytes, needed at least \(needed)"
        case .unsupportedVersion(let version):
            "unsupported VRRP version \(version) (expected 2 or 3)"
        case .unsupportedType(let type):
            "unsupported VRRP type \(type) (expected 1, ADVERTISEMENT)"
        case .badChecksum(let received, let computed):
            "bad VRRP checksum 0x\(hex(received)) (expected 0x\(hex(computed)))"
        case .addressCountMismatch(let count, let addressBytes):
            "count of addresses \(count) does not fit the \(addressBytes) bytes of addresses"
        case .trailingBytes(let count):
            "\(count) bytes after the end of the advertisement"
        case .invalidVirtualRouterID:
            "virtual router ID 0"
        case .zeroInterval:
            "advertisement interval 0"
        case .version2OverIPv6:
            "VRRPv2 over IPv6"
        case .unsupportedAuthenticationType(let type):
            "unsupported VRRPv2 auth type \(type) (expected 0 or 1)"
        case .mismatchedAddressFamilies:
            "IP source and destination of different families"
        case .notIPv4(let version):
            "IP version \(version) where IPv4 was expected"
        case .notIPv6(let version):
            "IP version \(version) where IPv6 was expected"
        case .badIPv4HeaderLength(let length):
            "IPv4 header length \(length) (minimum 20)"
        case .badIPv4HeaderChecksum(let received, let computed):
            "bad IPv4 header checksum 0x\(hex(received)) (expected 0x\(hex(computed)))"
        case .notVRRPProtocol(let number):
            "IP protocol / next header \(number) (expected 112)"
        case .ipLengthMismatch(let declared, let received):
            "IP header says \(declared) bytes, packet has \(received)"
        case .fragmented:
            "IPv4 fragment"
        }
    }
}

/// Four lowercase hex digits.
private func hex(_ value: UInt16) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 4 - digits.count) + digits
}
