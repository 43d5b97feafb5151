/// A response head read from a server: status line parsed, body framing decided.
struct HTTP1ResponseHead {
    let head: HTTP1Head
    let status: Int
    /// The server's minor HTTP version (0 or 1).
    let minorVersion: Int
    /// From the space after the version to the end of the status line (`" 200 OK"`), kept as sent.
    let statusRange: Range<Int>
    let framing: HTTP1BodyFraming
    /// Whether the server keeps the connection open after this response (RFC 9112 §9.3): a body
    /// that ends with the connection, or a Transfer-Encoding next to a Content-Length, never does.
    let isKeepAlive: Bool

    /// Parses `HTTP/1.x SP 3DIGIT [SP reason]` and the framing of the body of a response to a
    /// request with `requestMethodIsHead`.
    init(_ head: HTTP1Head, requestMethodIsHead: Bool) throws(HTTP1SyntaxError) {
        self.head = head
        let line = head.startLine
        let parsed = head.bytes.withUnsafeReadableBytes { raw -> (minor: UInt8, status: Int)? in
            let start = line.lowerBound
            guard line.count >= 12, HTTP1Grammar.isVersion(raw, at: start), raw[start + 5] == UInt8(ascii: "1"),
                raw[start + 7] <= UInt8(ascii: "1"), raw[start + 8] == UInt8(ascii: " "),
                (start + 9..<start + 12).allSatisfy({ HTTP1Grammar.isDigit(raw[$0]) }),
                line.count == 12 || raw[start + 12] == UInt8(ascii: " "),
                HTTP1Grammar.areFieldValueBytes(raw, (start + 12)..<line.upperBound)
            else { return nil }
            let status = (start + 9..<start + 12).reduce(0) { $0 * 10 + Int(raw[$1] - UInt8(ascii: "0")) }
            return (raw[start + 7], status)
        }
        guard let parsed, parsed.status >= 100 else { throw .malformed("malformed status line") }
        status = parsed.status
        minorVersion = Int(parsed.minor - UInt8(ascii: "0"))
        statusRange = (line.lowerBound + 8)..<line.upperBound
        let chunked = head.contains(.transferEncoding)
        let length = head.contentLength(allowingRepeats: true)
        if requestMethodIsHead || (100..<200).contains(status) || status == 204 || status == 304 {
            framing = .none
        } else if chunked {
            framing = head.lowercasedElements(.transferEncoding).last == "chunked" ? .chunked : .untilClose
        } else if let length {
            framing = try length.get() == 0 ? .none : .length(try length.get())
        } else {
            framing = .untilClose
        }
        isKeepAlive = head.keepsConnection(minorVersion: minorVersion) && framing != .untilClose && !(chunked && length != nil) && status != 101
    }

    /// Whether this is an interim response (1xx other than 101), with the final one still to come.
    var isInterim: Bool { (100..<200).contains(status) && status != 101 }
}
