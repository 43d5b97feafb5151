import NIOCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Finds and checks the head of an HTTP/1 message at the front of a growing buffer (pure).
///
/// Lines must end in CRLF (a bare LF or CR is refused, as both can smuggle a line past a server
/// that reads them differently); field names are tokens directly followed by `:`; values hold no
/// control characters but tab; obsolete line folding is refused. Empty lines before the start
/// line are skipped (RFC 9112 §2.2). Scanning resumes where the last call stopped, so a head that
/// arrives a byte at a time is not rescanned from its start.
struct HTTP1HeadParser {
    /// Longest head, start line included.
    let maxBytes: Int
    /// Most fields in a head.
    let maxFields: Int

    /// Where the first unfinished line starts, from the front of the buffer.
    private var lineStart = 0
    /// Bytes at the front of the buffer already searched for a line end (at least `lineStart`).
    private var searched = 0
    /// Where each complete line found so far ends (its LF, from the front of the buffer), the start
    /// line included: the head is split along them without searching again. Kept between heads.
    private var lineEnds: [Int] = []
    /// The fields array of the last head, kept so that the next head reuses its storage once that
    /// head is gone (no allocation per message); kept only up to `spareFieldsLimit` fields.
    private var spareFields: [HTTP1Field] = []
    private static let spareFieldsLimit = 64

    init(maxBytes: Int, maxFields: Int) {
        self.maxBytes = maxBytes
        self.maxFields = maxFields
    }

    /// Takes the head off the front of `buffer` when it is complete; nil while more bytes are needed.
    mutating func take(from buffer: inout ByteBuffer) throws(HTTP1SyntaxError) -> HTTP1Head? {
        while true {
            let found: (end: Int, emptyLineFirst: Bool)? = try buffer.withUnsafeReadableBytes { raw throws(HTTP1SyntaxError) in
                try findEnd(in: raw)
            }
            guard let found else {
                if buffer.readableBytes > maxBytes { throw HTTP1SyntaxError(kind: .headTooLarge, reason: "head longer than \(maxBytes) bytes") }
                return nil
            }
            if found.emptyLineFirst {
                buffer.moveReaderIndex(forwardBy: found.end)  // an empty line before the start line
                lineStart = 0
                searched = 0
                lineEnds.removeAll(keepingCapacity: true)
                continue
            }
            guard found.end <= maxBytes else {
                throw HTTP1SyntaxError(kind: .headTooLarge, reason: "head longer than \(maxBytes) bytes")
            }
            let bytes = buffer.readSlice(length: found.end)!
            lineStart = 0
            searched = 0
            defer { lineEnds.removeAll(keepingCapacity: lineEnds.capacity <= Self.spareFieldsLimit) }
            var fields = spareFields
            spareFields = []
            fields.removeAll(keepingCapacity: true)  // in place when the last head is gone, else a new array
            let head = try Self.parse(bytes, lineEnds: lineEnds, into: &fields)
            if fields.capacity <= Self.spareFieldsLimit { spareFields = fields }
            return head
        }
    }

    /// The offset just past the empty line that ends the head, or past a leading empty line.
    private mutating func findEnd(in raw: UnsafeRawBufferPointer) throws(HTTP1SyntaxError) -> (end: Int, emptyLineFirst: Bool)? {
        var start = lineStart
        var from = max(searched, lineStart)
        while true {
            guard let newline = Self.index(of: UInt8(ascii: "\n"), in: raw, from: from) else {
                lineStart = start
                searched = raw.count
                return nil
            }
            guard newline > start, raw[newline - 1] == UInt8(ascii: "\r") else {
                throw .malformed("line ending in a bare LF")
            }
            if newline - 1 == start {
                return (newline + 1, lineEnds.isEmpty)
            }
            lineEnds.append(newline)
            if lineEnds.count > maxFields + 1 {
                throw HTTP1SyntaxError(kind: .headTooLarge, reason: "more than \(maxFields) header fields")
            }
            start = newline + 1
            from = start
        }
    }

    /// The first `byte` at or after `start` in `raw`.
    static func index(of byte: UInt8, in raw: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < raw.count, let base = raw.baseAddress,
            let found = memchr(base + start, Int32(byte), raw.count - start)
        else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    /// Splits a complete head into its start line and checked fields, appended to `fields` (empty),
    /// along `lineEnds`, the offset of each line's LF (the start line's first).
    private static func parse(_ bytes: ByteBuffer, lineEnds: [Int], into fields: inout [HTTP1Field])
        throws(HTTP1SyntaxError) -> HTTP1Head
    {
        try bytes.withUnsafeReadableBytes { raw throws(HTTP1SyntaxError) -> HTTP1Head in
            let startEnd = lineEnds[0] - 1
            try checkNoBareCR(in: raw, 0..<startEnd)
            fields.reserveCapacity(lineEnds.count - 1)
            for line in lineEnds.indices.dropFirst() {
                fields.append(try field(in: raw, (lineEnds[line - 1] + 1)..<(lineEnds[line] - 1)))
            }
            return HTTP1Head(bytes: bytes, startLine: 0..<startEnd, fields: fields)
        }
    }

    /// One `name: value` line (without its CRLF).
    private static func field(in raw: UnsafeRawBufferPointer, _ line: Range<Int>) throws(HTTP1SyntaxError) -> HTTP1Field {
        let first = raw[line.lowerBound]
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { throw .malformed("obsolete line folding") }
        var colon = line.lowerBound
        while colon < line.upperBound, HTTP1Grammar.isToken(raw[colon]) { colon += 1 }
        guard colon > line.lowerBound, colon < line.upperBound, raw[colon] == UInt8(ascii: ":") else {
            throw .malformed("invalid header field name")
        }
        var valueStart = colon + 1
        var valueEnd = line.upperBound
        while valueStart < valueEnd, HTTP1Grammar.isSpace(raw[valueStart]) { valueStart += 1 }
        while valueEnd > valueStart, HTTP1Grammar.isSpace(raw[valueEnd - 1]) { valueEnd -= 1 }
        guard HTTP1Grammar.areFieldValueBytes(raw, valueStart..<valueEnd) else {
            throw .malformed("control character in a header field value")
        }
        let nameRange = line.lowerBound..<colon
        return HTTP1Field(
            name: HTTP1FieldName.classify(UnsafeRawBufferPointer(rebasing: raw[nameRange])), nameRange: nameRange,
            valueRange: valueStart..<valueEnd, lineRange: line.lowerBound..<(line.upperBound + 2))
    }

    private static func checkNoBareCR(in raw: UnsafeRawBufferPointer, _ range: Range<Int>) throws(HTTP1SyntaxError) {
        for index in range where raw[index] == UInt8(ascii: "\r") { throw .malformed("bare CR in the start line") }
    }
}
