
extension VRRPPacketCodec {
    /// A whole IPv4 datagram as a raw IPv4 socket or a capture delivers it (header included).
    ///
    /// Reads the header with `IPHeader.ipv4` (version, header length, total length, header
    /// checksum), checks that the total length is the byte count, then decodes the message with
    /// `decode(_:header:enforcing:)`: not a fragment, protocol 112, the TTL as the hop limit.
    /// Never traps, whatever the bytes.
    public static func decodeIPv4Datagram(
        _ datagram: some Collection<UInt8>, enforcing checks: VRRPWireChecks = .all
    ) throws(VRRPPacketError)
        -> VRRPReceivedPacket
    {
        let bytes = Array(datagram)
        let header = try IPHeader.ipv4(bytes)
        guard header.packetLength == bytes.count else {
            throw .ipLengthMismatch(declared: header.packetLength, received: bytes.count)
        }
        return try decode(bytes, header: header, enforcing: checks)
    }
}
