/// Byte classes of RFC 9110/9112's grammar.
enum HTTP1Grammar {
    /// `tchar`: the bytes of a method or a field name (digits, letters and ``!#$%&'*+-.^_`|~``), as
    /// two bit masks over ASCII: no table to load, nothing lazily initialised on the hot path.
    static func isToken(_ byte: UInt8) -> Bool {
        switch byte {
        case 0..<64: (0x03FF_6CFA_0000_0000 as UInt64) >> byte & 1 == 1
        case 64..<128: (0x57FF_FFFF_C7FF_FFFE as UInt64) >> (byte - 64) & 1 == 1
        default: false
        }
    }

    /// Optional whitespace: space or tab.
    static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    /// A byte allowed in a field value (or a reason phrase): visible, space, tab or obs-text.
    static func isFieldValueByte(_ byte: UInt8) -> Bool { byte >= 0x20 ? byte != 0x7F : byte == 0x09 }

    /// Whether every byte in `range` of `raw` is allowed in a field value: eight bytes at a time,
    /// byte by byte only around a word holding a control byte, DEL or a tab (a tab is allowed).
    static func areFieldValueBytes(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        var index = range.lowerBound
        while index + 8 <= range.upperBound {
            let word = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            // A byte below 0x20 or equal to 0x7F sets its high bit in one of these (no false
            // negative; a false positive only next to a true one, checked byte by byte below).
            let below20 = (word &- ones &* 0x20) & ~word & highs
            let del = word ^ (ones &* 0x7F)
            let isDEL = (del &- ones) & ~del & highs
            if below20 | isDEL != 0 {
                for offset in index..<(index + 8) where !isFieldValueByte(raw[offset]) { return false }
            }
            index += 8
        }
        for offset in index..<range.upperBound where !isFieldValueByte(raw[offset]) { return false }
        return true
    }

    /// A byte allowed in a request target: visible ASCII.
    static func isTargetByte(_ byte: UInt8) -> Bool { byte > 0x20 && byte < 0x7F }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// The value of a hexadecimal digit, or nil.
    static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case 0x30...0x39: Int(byte - 0x30)
        case 0x41...0x46: Int(byte - 0x41 + 10)
        case 0x61...0x66: Int(byte - 0x61 + 10)
        default: nil
        }
    }
}

extension HTTP1Grammar {
    /// Whether `raw` holds `HTTP/d.d` at `start` (8 bytes, both digits checked).
    static func isVersion(_ raw: UnsafeRawBufferPointer, at start: Int) -> Bool {
        guard start >= 0, start + 8 <= raw.count else { return false }
        return raw[start] == UInt8(ascii: "H") && raw[start + 1] == UInt8(ascii: "T") && raw[start + 2] == UInt8(ascii: "T")
            && raw[start + 3] == UInt8(ascii: "P") && raw[start + 4] == UInt8(ascii: "/") && isDigit(raw[start + 5])
            && raw[start + 6] == UInt8(ascii: ".") && isDigit(raw[start + 7])
    }
}
