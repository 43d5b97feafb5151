import VipdCore

/// The IPv4 or IPv6 header in front of a VRRP message (or of anything else a capture holds): the
/// one IP header parser of the speaker's VRRP socket, the codec's datagram decoders and the monitor.
///
/// It reads what the receive rules need (source, destination, TTL / hop limit, protocol) and where
/// the packet ends; it judges nothing about VRRP. IPv4 options are skipped; IPv6 extension headers
/// are not followed (their number is the `protocolNumber`).
public struct IPHeader: Sendable, Hashable {
    /// The IP source address.
    public var source: IPAddress
    /// The IP destination address.
    public var destination: IPAddress
    /// The IPv4 TTL or IPv6 hop limit.
    public var hopLimit: Int
    /// The IPv4 protocol or IPv6 next header: 112 for VRRP.
    public var protocolNumber: Int
    /// The header's size in bytes: IHL × 4 (IPv4) or 40 (IPv6).
    public var headerLength: Int
    /// The packet's size as the header declares it: the IPv4 total length, or 40 + the IPv6
    /// payload length. Bytes after it (Ethernet padding) are not part of the packet.
    public var packetLength: Int
    /// An IPv4 fragment (more-fragments flag or a fragment offset); always false for IPv6.
    public var isFragment: Bool

    /// The fixed part of an IPv4 header (RFC 791), options excluded.
    static let ipv4MinimumLength = 20
    /// The fixed IPv6 header (RFC 8200).
    static let ipv6Length = 40

    /// Parses the IPv4 header at the start of `bytes`, which hold at least the whole packet.
    ///
    /// Checks, in order: 20 bytes, version 4, header length (IHL × 4) at least 20 and present,
    /// total length at least the header length and no more than the bytes, header checksum.
    public static func ipv4(_ bytes: some Collection<UInt8>) throws(VRRPPacketError) -> IPHeader {
        let bytes = Array(bytes)
        guard bytes.count >= ipv4MinimumLength else { throw .truncated(length: bytes.count, needed: ipv4MinimumLength) }
        let version = Int(bytes[0] >> 4)
        guard version == 4 else { throw .notIPv4(version: version) }
        let headerLength = Int(bytes[0] & 0x0F) * 4
        guard headerLength >= ipv4MinimumLength else { throw .badIPv4HeaderLength(headerLength) }
        guard bytes.count >= headerLength else { throw .truncated(length: bytes.count, needed: headerLength) }
        let totalLength = Int(bytes[2]) << 8 | Int(bytes[3])
        guard totalLength >= headerLength, bytes.count >= totalLength else {
            throw .ipLengthMismatch(declared: totalLength, received: bytes.count)
        }

        var checksum = InternetChecksum()
        checksum.add(bytes[..<10])
        checksum.add(bytes[12..<headerLength])
        let received = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
        guard received == checksum.value else {
            throw .badIPv4HeaderChecksum(received: received, computed: checksum.value)
        }
        let moreFragments = bytes[6] & 0x20 != 0
        let fragmentOffset = Int(bytes[6] & 0x1F) << 8 | Int(bytes[7])
        return IPHeader(
            source: VRRPPacketCodec.wireAddress(bytes[12..<16]), destination: VRRPPacketCodec.wireAddress(bytes[16..<20]),
            hopLimit: Int(bytes[8]), protocolNumber: Int(bytes[9]), headerLength: headerLength,
            packetLength: totalLength, isFragment: moreFragments || fragmentOffset != 0)
    }

    /// Parses the fixed IPv6 header at the start of `bytes`, which hold at least the whole packet.
    ///
    /// Checks, in order: 40 bytes, version 6, 40 + payload length no more than the bytes.
    public static func ipv6(_ bytes: some Collection<UInt8>) throws(VRRPPacketError) -> IPHeader {
        let count = bytes.count
        let bytes = Array(bytes.prefix(ipv6Length))
        guard bytes.count >= ipv6Length else { throw .truncated(length: bytes.count, needed: ipv6Length) }
        let version = Int(bytes[0] >> 4)
        guard version == 6 else { throw .notIPv6(version: version) }
        let packetLength = ipv6Length + (Int(bytes[4]) << 8 | Int(bytes[5]))
        guard count >= packetLength else { throw .ipLengthMismatch(declared: packetLength, received: count) }
        return IPHeader(
            source: VRRPPacketCodec.wireAddress(bytes[8..<24]), destination: VRRPPacketCodec.wireAddress(bytes[24..<40]),
            hopLimit: Int(bytes[7]), protocolNumber: Int(bytes[6]), headerLength: ipv6Length,
            packetLength: packetLength, isFragment: false)
    }
}
