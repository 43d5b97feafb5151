import VipdCore

/// The VRRP advertisement wire format of RFC 3768 (VRRPv2) and RFC 5798 (VRRPv3), without I/O.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |Version| Type  | Virtual Rtr ID|   Priority    | Count IP Addrs|
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Auth Type   |   Adver Int   |           Checksum            |  VRRPv2
/// | rsvd  |     Max Adver Int     |           Checksum            |  VRRPv3
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   Count IP Addrs × IPv4 address (4 bytes) or IPv6 (16 bytes)  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 Authentication Data (8 bytes)                 |  VRRPv2 only
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// The checksum covers the VRRP message alone in VRRPv2, and an IPv4 or IPv6 pseudo-header
/// followed by the message in VRRPv3 (RFC 5798 section 5.2.8), with the IP destination the
/// packet is sent to: the multicast group, or the peer in unicast mode, as keepalived 2.2.7 does.
public enum VRRPPacketCodec {
    /// IP protocol number 112, in the IPv4 protocol field and the IPv6 next-header field.
    public static let ipProtocolNumber = 112
    /// The TTL / hop limit advertisements are sent with and must arrive with.
    public static let requiredHopLimit = 255
    /// 224.0.0.18, where IPv4 advertisements are multicast.
    public static let ipv4MulticastGroup = wireAddress([224, 0, 0, 18])
    /// ff02::12, where IPv6 advertisements are multicast.
    public static let ipv6MulticastGroup = wireAddress([0xFF, 0x02] + Array(repeating: 0, count: 13) + [0x12])

    /// The group advertisements of `family` are multicast to: 224.0.0.18 or ff02::12.
    public static func multicastGroup(_ family: IPAddress.Family) -> IPAddress {
        family == .v4 ? ipv4MulticastGroup : ipv6MulticastGroup
    }

    /// The VRRP message type of an advertisement, the only one defined.
    static let advertisementType: UInt8 = 1
    /// Version/type, VRID, priority, count, auth type + adver int (or max adver int), checksum.
    static let fixedHeaderSize = 8
    /// Where the 16-bit checksum sits in the fixed header.
    static let checksumOffset = 6
    /// VRRPv2's Authentication Data after the addresses.
    static let authenticationDataSize = 8
    /// VRRPv2 Auth Type values (RFC 3768 section 5.3.6; 2, IP Authentication Header, is not supported).
    static let authenticationTypeNone: UInt8 = 0
    static let authenticationTypeSimplePassword: UInt8 = 1

    /// The bytes after the address list: VRRPv2's authentication data, nothing in VRRPv3.
    static func trailerSize(_ version: VRRPVersion) -> Int {
        version == .v2 ? authenticationDataSize : 0
    }

    /// The checksum field value for `message`, whose own checksum field is skipped.
    ///
    /// `message` holds at least the fixed header; `destination` is the one for the pseudo-header.
    static func checksum(
        of message: [UInt8], version: VRRPVersion, source: IPAddress, destination: IPAddress
    ) -> UInt16 {
        var checksum = InternetChecksum()
        if version == .v3 {
            switch source.family {
            case .v4:
                // Addresses, zero byte + protocol, then the 16-bit VRRP length.
                checksum.add(source.bytes)
                checksum.add(destination.bytes)
                checksum.add(word: UInt16(ipProtocolNumber))
                checksum.add(word: UInt16(truncatingIfNeeded: message.count))
            case .v6:
                checksum.addIPv6PseudoHeader(
                    source: source, destination: destination, length: message.count, nextHeader: UInt8(ipProtocolNumber))
            }
        }
        checksum.add(message[..<checksumOffset])
        checksum.add(message[(checksumOffset + 2)...])
        return checksum.value
    }

    /// The address whose network-order bytes are `bytes`, which the caller sizes to 4 or 16.
    static func wireAddress(_ bytes: some Collection<UInt8>) -> IPAddress {
        guard let address = IPAddress(bytes: bytes) else {
            preconditionFailure("callers pass exactly 4 or 16 bytes, which always make an address")
        }
        return address
    }
}
