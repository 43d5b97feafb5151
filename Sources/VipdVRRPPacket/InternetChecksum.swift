import VipdCore

/// The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum
/// of the data taken as big-endian 16-bit words. Used by VRRP advertisements, IPv4 headers and
/// the neighbour advertisements that announce a VIP (`VipdNet`).
///
/// Feed it pieces with `add`; every piece but the last must have an even length (pseudo-headers
/// and fixed headers do). A final odd byte is padded with a zero byte, as RFC 1071 says.
public struct InternetChecksum {
    /// The running one's complement sum, always folded back into 16 bits.
    private var sum: UInt32 = 0

    public init() {}

    /// The checksum of `bytes`, to be stored big-endian.
    public static func of(_ bytes: some Sequence<UInt8>) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.add(bytes)
        return checksum.value
    }

    /// The checksum of an upper-layer IPv6 message with its RFC 8200 §8.1 pseudo-header.
    public static func ipv6(source: IPAddress, destination: IPAddress, nextHeader: UInt8, message: [UInt8]) -> UInt16 {
        var checksum = InternetChecksum()
        checksum.addIPv6PseudoHeader(source: source, destination: destination, length: message.count, nextHeader: nextHeader)
        checksum.add(message)
        return checksum.value
    }

    /// Adds `bytes` to the sum.
    public mutating func add(_ bytes: some Sequence<UInt8>) {
        var iterator = bytes.makeIterator()
        while let high = iterator.next() {
            let low = iterator.next() ?? 0
            sum += UInt32(high) << 8 | UInt32(low)
            sum = (sum & 0xFFFF) + (sum >> 16)
        }
    }

    /// Adds one 16-bit word (a length or protocol field of a pseudo-header).
    public mutating func add(word: UInt16) {
        add([UInt8(word >> 8), UInt8(word & 0xFF)])
    }

    /// Adds the RFC 8200 §8.1 pseudo-header: source, destination, the 32-bit upper-layer length,
    /// three zero bytes and the next header.
    public mutating func addIPv6PseudoHeader(source: IPAddress, destination: IPAddress, length: Int, nextHeader: UInt8) {
        add(source.bytes)
        add(destination.bytes)
        let length = UInt32(truncatingIfNeeded: length)
        add(word: UInt16(length >> 16))
        add(word: UInt16(length & 0xFFFF))
        add(word: UInt16(nextHeader))
    }

    /// The checksum to put in the header: 0 over data that already holds a correct checksum.
    public var value: UInt16 { ~UInt16(sum) }
}
