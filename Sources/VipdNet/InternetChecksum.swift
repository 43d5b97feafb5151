import VipdConfig

/// The RFC 1071 Internet checksum: the ones' complement of the ones'-complement sum of
/// big-endian 16-bit words (an odd last byte padded with zero).
enum InternetChecksum {
    /// The checksum of `bytes`, to be stored big-endian.
    static func of(_ bytes: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        var index = 0
        while index + 1 < bytes.count {
            sum += UInt32(bytes[index]) << 8 | UInt32(bytes[index + 1])
            index += 2
        }
        if index < bytes.count { sum += UInt32(bytes[index]) << 8 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }

    /// The checksum of an upper-layer IPv6 message with its RFC 8200 §8.1 pseudo-header
    /// (source, destination, upper-layer length, next header).
    static func ipv6(source: IPAddress, destination: IPAddress, nextHeader: UInt8, message: [UInt8]) -> UInt16 {
        var pseudoHeader = source.bytes + destination.bytes
        pseudoHeader.appendNetworkOrder(UInt32(message.count))
        pseudoHeader += [0, 0, 0, nextHeader]
        return of(pseudoHeader + message)
    }
}
