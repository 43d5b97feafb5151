import NIOCore

/// One header field of a parsed head: where its name and value lie in the head's bytes (offsets
/// from the head's first byte; the value without surrounding whitespace).
struct HTTP1Field {
    let name: HTTP1FieldName
    let nameRange: Range<Int>
    let valueRange: Range<Int>
    /// The whole line with its CRLF, as it is copied when forwarded.
    let lineRange: Range<Int>
}

/// The head of an HTTP/1 message as it arrived: its bytes, kept to be forwarded mostly as they are,
/// its start line and its fields, checked against RFC 9112's grammar by `HTTP1HeadParser`.
struct HTTP1Head {
    /// Start line, fields and the empty line that ends the head.
    let bytes: ByteBuffer
    /// The start line without its CRLF.
    let startLine: Range<Int>
    let fields: [HTTP1Field]
    /// Whether a `Connection` field says `close`, or `keep-alive`.
    let connectionClose: Bool
    let connectionKeepAlive: Bool
    /// Whether a `Connection` field lists other names: those fields are hop-by-hop too. The names
    /// are looked up again when needed (rare), so that a head holds no array of them to copy.
    private let connectionNamesFields: Bool

    init(bytes: ByteBuffer, startLine: Range<Int>, fields: [HTTP1Field]) {
        self.bytes = bytes
        self.startLine = startLine
        self.fields = fields
        var close = false
        var keepAlive = false
        var namesFields = false
        bytes.withUnsafeReadableBytes { raw in
            Self.forEachConnectionOption(of: fields, in: raw) { token in
                if HTTP1FieldName.equalIgnoringCase(token, "close".utf8) {
                    close = true
                } else if HTTP1FieldName.equalIgnoringCase(token, "keep-alive".utf8) {
                    keepAlive = true
                } else {
                    namesFields = true
                }
            }
        }
        connectionClose = close
        connectionKeepAlive = keepAlive
        connectionNamesFields = namesFields
    }

    /// Calls `body` with each element of every `Connection` field among `fields`.
    private static func forEachConnectionOption(
        of fields: [HTTP1Field], in raw: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void
    ) {
        for field in fields where field.name == .connection {
            forEachElement(of: field.valueRange, in: raw) { element in
                body(UnsafeRawBufferPointer(rebasing: raw[element]))
            }
        }
    }

    /// Whether the message asks to switch protocols (RFC 9110 §7.8): an `Upgrade` field that a
    /// `Connection` field names (`Connection: Upgrade`), as a WebSocket handshake has.
    var asksUpgrade: Bool {
        connectionNamesFields && contains(.upgrade) && lowercasedElements(.connection).contains("upgrade")
    }

    /// Whether the sender of this head keeps its connection after the message (RFC 9112 §9.3):
    /// HTTP/1.1 unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    func keepsConnection(minorVersion: Int) -> Bool {
        !connectionClose && (minorVersion >= 1 || connectionKeepAlive)
    }


    /// Calls `body` with the range of each comma-separated element in `range` of `raw`, without
    /// surrounding whitespace; empty elements are skipped unless `includingEmpty`.
    private static func forEachElement(
        of range: Range<Int>, in raw: UnsafeRawBufferPointer, includingEmpty: Bool = false, _ body: (Range<Int>) -> Void
    ) {
        var start = range.lowerBound
        while start <= range.upperBound {
            var end = start
            while end < range.upperBound, raw[end] != UInt8(ascii: ",") { end += 1 }
            var low = start
            var high = end
            while low < high, HTTP1Grammar.isSpace(raw[low]) { low += 1 }
            while high > low, HTTP1Grammar.isSpace(raw[high - 1]) { high -= 1 }
            if includingEmpty || low < high { body(low..<high) }
            start = end + 1
        }
    }

    /// The bytes in `range` as text.
    func text(_ range: Range<Int>) -> String {
        bytes.getString(at: bytes.readerIndex + range.lowerBound, length: range.count) ?? ""
    }

    /// The values of every field called `name`, in order.
    func values(_ name: HTTP1FieldName) -> [String] {
        fields.lazy.filter { $0.name == name }.map { text($0.valueRange) }
    }

    /// How many fields are called `name`.
    func count(_ name: HTTP1FieldName) -> Int {
        fields.reduce(0) { $0 + ($1.name == name ? 1 : 0) }
    }

    /// Whether some field is called `name`.
    func contains(_ name: HTTP1FieldName) -> Bool {
        fields.contains { $0.name == name }
    }

    /// The comma-separated elements of every field called `name`, trimmed and lowercased.
    func lowercasedElements(_ name: HTTP1FieldName) -> [String] {
        bytes.withUnsafeReadableBytes { raw in
            var elements: [String] = []
            for field in fields where field.name == name {
                Self.forEachElement(of: field.valueRange, in: raw) { element in
                    elements.append(String(decoding: raw[element].map(HTTP1FieldName.asciiLowercased), as: UTF8.self))
                }
            }
            return elements
        }
    }

    /// Whether `field` crosses the proxy: it is not hop-by-hop, nor named in a `Connection` field.
    func isEndToEnd(_ field: HTTP1Field) -> Bool {
        guard !field.name.isHopByHop else { return false }
        guard field.name == .other, connectionNamesFields else { return true }
        return bytes.withUnsafeReadableBytes { raw in
            let name = UnsafeRawBufferPointer(rebasing: raw[field.nameRange])
            var named = false
            Self.forEachConnectionOption(of: fields, in: raw) { token in
                if HTTP1FieldName.equalIgnoringCase(name, token.lazy.map(HTTP1FieldName.asciiLowercased)) { named = true }
            }
            return !named
        }
    }

    /// The body length given by the `Content-Length` fields: nil when there is none, `.failure` when
    /// they are not one decimal number (with `allowingRepeats`, a list repeating one number is
    /// that number, RFC 9110 §8.6).
    func contentLength(allowingRepeats: Bool) -> Result<Int, HTTP1SyntaxError>? {
        var result: Int?
        var valid = true
        bytes.withUnsafeReadableBytes { raw in
            for field in fields where field.name == .contentLength {
                if let value = Self.decimal(raw, field.valueRange) {  // the usual case: one plain number
                    if result != nil, !(allowingRepeats && result == value) { valid = false }
                    result = value
                    continue
                }
                var elements = 0
                Self.forEachElement(of: field.valueRange, in: raw, includingEmpty: true) { element in
                    elements += 1
                    let value = Self.decimal(raw, element)
                    if value == nil || (result != nil && !(allowingRepeats && result == value)) { valid = false }
                    result = value
                }
                if elements > 1, !allowingRepeats { valid = false }
            }
        }
        guard valid else { return .failure(.malformed("invalid Content-Length")) }
        return result.map { .success($0) }
    }

    /// The decimal number in `range` of `raw`: nil when empty, too long, or not all digits.
    private static func decimal(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 18 else { return nil }
        var value = 0
        for index in range {
            guard HTTP1Grammar.isDigit(raw[index]) else { return nil }
            value = value * 10 + Int(raw[index] - UInt8(ascii: "0"))
        }
        return value
    }

    /// Appends the start line from offset `start` on, then the field lines `keeping` accepts, in
    /// order, without the empty line that ends the head: neighbouring lines are copied together,
    /// as one run of bytes.
    func copyLines(from start: Int, keeping: (HTTP1Field) -> Bool, to buffer: inout ByteBuffer) {
        bytes.withUnsafeReadableBytes { raw in
            var run = start..<(startLine.upperBound + 2)
            for field in fields {
                if !keeping(field) {
                    _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[run]))
                    run = field.lineRange.upperBound..<field.lineRange.upperBound
                } else {
                    run = run.lowerBound..<field.lineRange.upperBound
                }
            }
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[run]))
        }
    }

    /// Appends the bytes in `range` to `buffer`.
    func copy(_ range: Range<Int>, to buffer: inout ByteBuffer) {
        bytes.withUnsafeReadableBytes { raw in
            _ = buffer.writeBytes(UnsafeRawBufferPointer(rebasing: raw[range]))
        }
    }
}
