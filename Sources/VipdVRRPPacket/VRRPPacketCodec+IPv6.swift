
extension VRRPPacketCodec {
    /// A whole IPv6 packet (fixed header, next header 112, no extension headers) as a capture delivers it.
    ///
    /// Reads the header with `IPHeader.ipv6`, checks that 40 + payload length is the byte count,
    /// then decodes the message with `decode(_:header:enforcing:)` (an extension header is reported
    /// as `notVRRPProtocol`). Never traps, whatever the bytes.
    public static func decodeIPv6Packet(
        _ packet: some Collection<UInt8>, enforcing checks: VRRPWireChecks = .all
    ) throws(VRRPPacketError) -> VRRPReceivedPacket
    {
        let bytes = Array(packet)
        let header = try IPHeader.ipv6(bytes)
        guard header.packetLength == bytes.count else {
            throw .ipLengthMismatch(declared: header.packetLength, received: bytes.count)
        }
        return try decode(bytes, header: header, enforcing: checks)
    }
}
