/// What the first bytes of a capture file say about its layout: enough to name a damaged
/// record and its byte offset when libpcap reports damage, and to reject a file that is no
/// capture at all with a message saying what it starts with.
enum CaptureFileFormat: Equatable {
    /// Classic pcap: a 24-byte file header, then records (a record header and the captured bytes).
    case pcap(PcapRecordLayout)
    /// pcapng: a sequence of self-describing blocks.
    case pcapng

    /// The pcapng section header block type, `0x0A0D0D0A` in either byte order.
    private static let pcapngMagic: UInt32 = 0x0A0D_0D0A

    /// The format announced by `fileStart`, the first bytes of a file (at least 4; for pcap at
    /// least the 24-byte file header, whose version decides the record layout); nil when the
    /// first four bytes are no pcap or pcapng magic number.
    init?(fileStart: [UInt8]) {
        guard fileStart.count >= 4 else { return nil }
        let magic = fileStart[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        if magic == Self.pcapngMagic {
            self = .pcapng
        } else if let layout = PcapRecordLayout(fileHeader: fileStart, magic: magic) {
            self = .pcap(layout)
        } else {
            return nil
        }
    }

    /// The first four bytes of `fileStart` as hex, e.g. `0x3c68746d` for `<htm`.
    static func magicText(_ fileStart: [UInt8]) -> String {
        "0x" + fileStart.prefix(4).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}

/// How a classic pcap file lays out its record headers: byte order, header size, and whether
/// the captured and wire lengths are stored the old way round.
struct PcapRecordLayout: Equatable {
    /// The size of the file header before the first record.
    static let fileHeaderSize = 24

    /// The magic numbers as the file's first four bytes spell them in big-endian order: classic
    /// (microseconds), nanosecond, and Kuznetzov's modified format with 24-byte record headers.
    private static let microsecondMagic: UInt32 = 0xA1B2_C3D4
    private static let nanosecondMagic: UInt32 = 0xA1B2_3C4D
    private static let modifiedMagic: UInt32 = 0xA1B2_CD34

    /// Whether the file's integers are big-endian.
    let bigEndian: Bool
    /// The size of each record header: 16, or 24 in the modified format.
    let headerSize: Int
    /// How the captured length is found in a record header, as libpcap does it.
    let lengthOrder: LengthOrder

    /// Where a record header keeps the captured length (pcap versions before 2.3 stored it
    /// after the wire length; 2.3 files exist both ways round).
    enum LengthOrder: Equatable {
        case capturedFirst, wireFirst, smallerFirst
    }

    /// The layout of a file starting with `magic` (big-endian reading of its first four bytes)
    /// and `fileHeader`; nil when `magic` is no pcap magic number. The version is read from
    /// `fileHeader` when it holds the whole file header.
    init?(fileHeader: [UInt8], magic: UInt32) {
        let bigEndianMagics = [Self.microsecondMagic, Self.nanosecondMagic, Self.modifiedMagic]
        if bigEndianMagics.contains(magic) {
            bigEndian = true
        } else if bigEndianMagics.contains(magic.byteSwapped) {
            bigEndian = false
        } else {
            return nil
        }
        headerSize = magic == Self.modifiedMagic || magic.byteSwapped == Self.modifiedMagic ? 24 : 16
        guard fileHeader.count >= Self.fileHeaderSize else {
            lengthOrder = .capturedFirst
            return
        }
        let major = Self.integer(fileHeader[4..<6], bigEndian: bigEndian)
        let minor = Self.integer(fileHeader[6..<8], bigEndian: bigEndian)
        switch (major, minor) {
        case (2, 0..<3), (543, 0): lengthOrder = .wireFirst
        case (2, 3): lengthOrder = .smallerFirst
        default: lengthOrder = .capturedFirst
        }
    }

    /// The captured length a record header (at least `headerSize` bytes) announces.
    func capturedLength(recordHeader: [UInt8]) -> UInt32 {
        let first = Self.integer(recordHeader[8..<12], bigEndian: bigEndian)
        let second = Self.integer(recordHeader[12..<16], bigEndian: bigEndian)
        switch lengthOrder {
        case .capturedFirst: return first
        case .wireFirst: return second
        case .smallerFirst: return min(first, second)
        }
    }

    /// The unsigned integer in `bytes` (at most 4) in the given byte order.
    private static func integer(_ bytes: ArraySlice<UInt8>, bigEndian: Bool) -> UInt32 {
        let ordered = bigEndian ? Array(bytes) : bytes.reversed()
        return ordered.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }
}
