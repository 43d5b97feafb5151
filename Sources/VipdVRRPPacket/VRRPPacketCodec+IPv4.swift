import VipdConfig

extension VRRPPacketCodec {
    /// The fixed part of an IPv4 header (RFC 791), options excluded.
    static let ipv4MinimumHeaderSize = 20

    /// A whole IPv4 datagram as a raw IPv4 socket or a capture delivers it (header included).
    ///
    /// Checks the IPv4 header first — version 4, header length, header checksum, total length
    /// equal to the byte count, not a fragment, protocol 112 — then decodes the payload with
    /// `decode(_:source:destination:hopLimit:enforcing:)`, the TTL as the hop limit. IPv4 options are skipped.
    /// Never traps, whatever the bytes.
    public static func decodeIPv4Datagram(
        _ datagram: some Collection<UInt8>, enforcing checks: VRRPWireChecks = .all
    ) throws(VRRPPacketError)
        -> VRRPReceivedPacket
    {
        let bytes = Array(datagram)
        guard bytes.count >= ipv4MinimumHeaderSize else {
            throw .truncated(length: bytes.count, needed: ipv4MinimumHeaderSize)
        }
        let version = Int(bytes[0] >> 4)
        guard version == 4 else { throw .notIPv4(version: version) }
        let headerSize = Int(bytes[0] & 0x0F) * 4
        guard headerSize >= ipv4MinimumHeaderSize else { throw .badIPv4HeaderLength(headerSize) }
        guard bytes.count >= headerSize else { throw .truncated(length: bytes.count, needed: headerSize) }

        var headerChecksum = InternetChecksum()
        headerChecksum.add(bytes[..<10])
        headerChecksum.add(bytes[12..<headerSize])
        let receivedChecksum = UInt16(bytes[10]) << 8 | UInt16(bytes[11])
        guard receivedChecksum == headerChecksum.value else {
            throw .badIPv4HeaderChecksum(received: receivedChecksum, computed: headerChecksum.value)
        }

        let totalLength = Int(bytes[2]) << 8 | Int(bytes[3])
        guard totalLength == bytes.count else { throw .ipLengthMismatch(declared: totalLength, received: bytes.count) }
        let moreFragments = bytes[6] & 0x20 != 0
        let fragmentOffset = Int(bytes[6] & 0x1F) << 8 | Int(bytes[7])
        guard !moreFragments, fragmentOffset == 0 else { throw .fragmented }
        guard Int(bytes[9]) == ipProtocolNumber else { throw .notVRRPProtocol(Int(bytes[9])) }

        return try decode(
            bytes[headerSize...], source: wireAddress(bytes[12..<16]), destination: wireAddress(bytes[16..<20]),
            hopLimit: Int(bytes[8]), enforcing: checks)
    }
}
