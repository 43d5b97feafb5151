/// The Internet checksum of RFC 1071: the 16-bit one's complement of the one's complement sum
/// of the data taken as big-endian 16-bit words.
///
/// Feed it pieces with `add`; every piece but the last must have an even length (pseudo-headers
/// and fixed headers do). A final odd byte is padded with a zero byte, as RFC 1071 says.
struct InternetChecksum {
    /// The running one's complement sum, always folded back into 16 bits.
    private var sum: UInt32 = 0

    init() {}

    /// Adds `bytes` to the sum.
    mutating func add(_ bytes: some Sequence<UInt8>) {
        var iterator = bytes.makeIterator()
        while let high = iterator.next() {
            let low = iterator.next() ?? 0
            sum += UInt32(high) << 8 | UInt32(low)
            sum = (sum & 0xFFFF) + (sum >> 16)
        }
    }

    /// Adds one 16-bit word (a length or protocol field of a pseudo-header).
    mutating func add(word: UInt16) {
        add([UInt8(word >> 8), UInt8(word & 0xFF)])
    }

    /// The checksum to put in the header: 0 over data that already holds a correct checksum.
    var value: UInt16 { ~UInt16(sum) }
}
