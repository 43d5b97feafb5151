/// A 48-bit Ethernet address as it appears in frames and ARP / neighbour discovery.
public struct MACAddress: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The six bytes, in wire order.
    public let bytes: [UInt8]

    /// The address made of exactly six bytes; nil otherwise.
    public init?(bytes: some Collection<UInt8>) {
        let bytes = Array(bytes)
        guard bytes.count == 6 else { return nil }
        self.bytes = bytes
    }

    /// The virtual router MAC 00:00:5e:00:01:VRID (IPv4) or 00:00:5e:00:02:VRID (IPv6) of RFC 5798 section 7.3.
    public var isVRRPVirtualRouterMAC: Bool { bytes[0...3] == [0x00, 0x00, 0x5E, 0x00] && (bytes[4] == 1 || bytes[4] == 2) }

    /// Lowercase, colon separated: `02:25:19:02:00:0b`.
    public var description: String {
        bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: ":")
    }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.bytes.lexicographicallyPrecedes(rhs.bytes) }
}
