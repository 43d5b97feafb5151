import VipdConfig

extension VRRPPacketCodec {
    /// The fixed IPv6 header (RFC 8200).
    static let ipv6HeaderSize = 40

    /// A whole IPv6 packet (fixed header, next header 112, no extension headers) as a capture delivers it.
    ///
    /// Checks version 6, 40 + payload length equal to the byte count and next header 112 (an
    /// extension header is reported as `notVRRPProtocol`), then decodes the payload with
    /// `decode(_:source:destination:hopLimit:enforcing:)`. Never traps, whatever the bytes.
    public static func decodeIPv6Packet(
        _ packet: some Collection<UInt8>, enforcing checks: VRRPWireChecks = .all
    ) throws(VRRPPacketError) -> VRRPReceivedPacket
    {
        let bytes = Array(packet)
        guard bytes.count >= ipv6HeaderSize else { throw .truncated(length: bytes.count, needed: ipv6HeaderSize) }
        let version = Int(bytes[0] >> 4)
        guard version == 6 else { throw .notIPv6(version: version) }
        let declaredLength = ipv6HeaderSize + (Int(bytes[4]) << 8 | Int(bytes[5]))
        guard declaredLength == bytes.count else {
            throw .ipLengthMismatch(declared: declaredLength, received: bytes.count)
        }
        guard Int(bytes[6]) == ipProtocolNumber else { throw .notVRRPProtocol(Int(bytes[6])) }

        return try decode(
            bytes[ipv6HeaderSize...], source: wireAddress(bytes[8..<24]), destination: wireAddress(bytes[24..<40]),
            hopLimit: Int(bytes[7]), enforcing: checks)
    }
}
