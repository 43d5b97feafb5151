import NIOCore

/// Reads one message body off the front of a growing buffer, by its framing (pure).
///
/// A chunked body is checked as it passes (chunk sizes in hex, optional extensions, the CRLF after
/// each chunk, the trailer section), so that a malformed one is refused and never reaches the other
/// side. Normally it is forwarded as it came, framing included; with `decodingChunks` only the chunk
/// data comes out (for an HTTP/1.0 client, which knows no chunks; trailers are dropped).
struct HTTP1BodyReader {
    /// A run of body bytes to forward.
    struct Piece {
        var bytes: ByteBuffer
        /// Data bytes in `bytes` (framing not counted).
        var payload: Int
        /// Whether the body ends with this piece.
        var ended: Bool
    }

    private enum State {
        /// Data bytes left of a body framed by length, or of the current chunk.
        case data(remaining: Int, chunked: Bool)
        /// Before a chunk-size line.
        case chunkSize
        /// The CRLF after a chunk's data.
        case chunkEnd
        /// The trailer section after the last chunk.
        case trailer
        case untilClose
        case ended
    }

    /// Longest chunk-size or trailer line, and longest trailer section.
    static let maxLineBytes = 4096

    private var state: State
    private let decodingChunks: Bool
    /// Most data bytes a chunked body may declare.
    private let maxPayload: Int
    private var declared = 0
    private var trailerBytes = 0

    init(framing: HTTP1BodyFraming, decodingChunks: Bool = false, maxPayload: Int = .max) {
        switch framing {
        case .none: state = .ended
        case .length(let length): state = .data(remaining: length, chunked: false)
        case .chunked: state = .chunkSize
        case .untilClose: state = .untilClose
        }
        self.decodingChunks = decodingChunks && framing == .chunked
        self.maxPayload = maxPayload
    }

    /// Whether the whole body has been read.
    var isEnded: Bool {
        if case .ended = state { return true }
        return false
    }

    /// Whether the body lasts until the connection closes.
    var endsWithConnection: Bool {
        if case .untilClose = state { return true }
        return false
    }

    /// The body ended with the connection: true when that is its framing's end, false when it was cut short.
    mutating func connectionClosed() -> Bool {
        guard endsWithConnection else { return isEnded }
        state = .ended
        return true
    }

    /// The next piece at the front of `buffer`, nil when more bytes are needed first. A body without
    /// bytes yields one empty, ended piece; nothing is read after the ended piece.
    mutating func read(from buffer: inout ByteBuffer) throws(HTTP1SyntaxError) -> Piece? {
        var consumed = 0  // bytes of `buffer` taken into the piece so far
        var payload = 0
        loop: while true {
            let available = buffer.readableBytes - consumed
            switch state {
            case .ended:
                break loop
            case .untilClose:
                consumed += available
                payload += available
                break loop
            case .data(let remaining, let chunked):
                let take = min(remaining, available)
                guard take > 0 else { break loop }
                state = remaining > take ? .data(remaining: remaining - take, chunked: chunked) : chunked ? .chunkEnd : .ended
                if decodingChunks {
                    buffer.moveReaderIndex(forwardBy: consumed)  // the framing before the data is dropped
                    return Piece(bytes: buffer.readSlice(length: take)!, payload: take, ended: false)
                }
                consumed += take
                payload += take
            case .chunkSize:
                guard let line = try nextLine(in: buffer, from: consumed) else { break loop }
                let size = try chunkSize(buffer, line)
                declared += size
                guard declared <= maxPayload else {
                    throw HTTP1SyntaxError(kind: .bodyTooLarge, reason: "chunked body larger than \(maxPayload) bytes")
                }
                consumed = line.upperBound + 2
                state = size == 0 ? .trailer : .data(remaining: size, chunked: true)
            case .chunkEnd:
                guard available >= 2 else { break loop }
                guard buffer.getInteger(at: buffer.readerIndex + consumed, as: UInt16.self) == 0x0D0A else {
                    throw .malformed("invalid chunked encoding: no CRLF after chunk data")
                }
                consumed += 2
                state = .chunkSize
            case .trailer:
                guard let line = try nextLine(in: buffer, from: consumed) else { break loop }
                trailerBytes += line.count + 2
                guard trailerBytes <= Self.maxLineBytes else { throw .malformed("trailer section too long") }
                try checkTrailerField(buffer, line)
                consumed = line.upperBound + 2
                if line.isEmpty { state = .ended }
            }
        }
        if decodingChunks {
            buffer.moveReaderIndex(forwardBy: consumed)  // framing and trailers are dropped
            return isEnded ? Piece(bytes: buffer.readSlice(length: 0)!, payload: 0, ended: true) : nil
        }
        guard consumed > 0 || isEnded else { return nil }
        return Piece(bytes: buffer.readSlice(length: consumed)!, payload: payload, ended: isEnded)
    }

    /// The range (offsets from the reader index) of the next CRLF-terminated line starting at `start`,
    /// without its CRLF; nil when it is not complete yet.
    private func nextLine(in buffer: ByteBuffer, from start: Int) throws(HTTP1SyntaxError) -> Range<Int>? {
        let newline = buffer.withUnsafeReadableBytes { HTTP1HeadParser.index(of: UInt8(ascii: "\n"), in: $0, from: start) }
        guard let newline else {
            // The line's bytes and its CR may be here without the LF yet.
            if buffer.readableBytes - start > Self.maxLineBytes + 1 { throw .malformed("chunk line too long") }
            return nil
        }
        guard newline > start, buffer.getInteger(at: buffer.readerIndex + newline - 1, as: UInt8.self) == 0x0D else {
            throw .malformed("invalid chunked encoding: line ending in a bare LF")
        }
        guard newline - 1 - start <= Self.maxLineBytes else { throw .malformed("chunk line too long") }
        return start..<(newline - 1)
    }

    /// `chunk-size [BWS ; chunk-ext]`: the size in hex (at most 15 digits).
    private func chunkSize(_ buffer: ByteBuffer, _ line: Range<Int>) throws(HTTP1SyntaxError) -> Int {
        let parsed = buffer.withUnsafeReadableBytes { raw -> Int? in
            var size = 0
            var position = line.lowerBound
            while position < line.upperBound, let digit = HTTP1Grammar.hexValue(raw[position]) {
                guard position - line.lowerBound < 15 else { return nil }  // more than 15 digits may not fit an Int
                size = size * 16 + digit
                position += 1
            }
            guard position > line.lowerBound else { return nil }
            while position < line.upperBound, HTTP1Grammar.isSpace(raw[position]) { position += 1 }
            guard position == line.upperBound || raw[position] == UInt8(ascii: ";") else { return nil }
            for index in position..<line.upperBound where !HTTP1Grammar.isFieldValueByte(raw[index]) { return nil }
            return size
        }
        guard let parsed else { throw .malformed("invalid chunked encoding: bad chunk size") }
        return parsed
    }

    /// A trailer line is empty or `name: value` with the same rules as a header field.
    private func checkTrailerField(_ buffer: ByteBuffer, _ line: Range<Int>) throws(HTTP1SyntaxError) {
        guard !line.isEmpty else { return }
        let valid = buffer.withUnsafeReadableBytes { raw -> Bool in
            var position = line.lowerBound
            while position < line.upperBound, HTTP1Grammar.isToken(raw[position]) { position += 1 }
            guard position > line.lowerBound, position < line.upperBound, raw[position] == UInt8(ascii: ":") else { return false }
            return (position + 1..<line.upperBound).allSatisfy { HTTP1Grammar.isFieldValueByte(raw[$0]) }
        }
        guard valid else { throw .malformed("invalid chunked encoding: bad trailer field") }
    }
}
