/// The integer in a file a VRRP instance tracks (`track.files`, keepalived's `track_file`) (pure).
public enum TrackFileValue {
    /// How much of the file is read: keepalived reads up to 127 bytes, and so does vipd.
    public static let readLimit = 128

    /// What the file's first bytes say.
    public enum Reading: Sendable, Equatable {
        /// An integer (0 for an empty file or white space only).
        case value(Int64)
        /// Not an integer vipd reads, and why; the file then counts as 0.
        case invalid(String)
    }

    /// Reads `bytes`, the file's first bytes (at most `readLimit`): a decimal integer with an optional
    /// sign, within the 32-bit range keepalived reads, with white space (a newline) around it allowed;
    /// nothing else. An empty file is 0, as in keepalived.
    public static func parse(_ bytes: some BidirectionalCollection<UInt8>) -> Reading {
        guard bytes.count < readLimit else { return .invalid("longer than \(readLimit - 1) bytes") }
        var text = bytes[...]
        while let first = text.first, isSpace(first) { text = text.dropFirst() }
        while let last = text.last, isSpace(last) { text = text.dropLast() }
        guard !text.isEmpty else { return .value(0) }
        let negative = text.first == UInt8(ascii: "-")
        let digits = text.first == UInt8(ascii: "-") || text.first == UInt8(ascii: "+") ? text.dropFirst() : text
        guard !digits.isEmpty, digits.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return .invalid("not a decimal integer")
        }
        var magnitude: Int64 = 0
        for digit in digits {
            magnitude = magnitude * 10 + Int64(digit - UInt8(ascii: "0"))
            guard magnitude <= Int64(Int32.max) + 1 else { return .invalid("out of the range \(Int32.min)...\(Int32.max)") }
        }
        let value = negative ? -magnitude : magnitude
        guard value <= Int64(Int32.max) else { return .invalid("out of the range \(Int32.min)...\(Int32.max)") }
        return .value(value)
    }

    /// Space, tab, newline, vertical tab, form feed, carriage return.
    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
}
