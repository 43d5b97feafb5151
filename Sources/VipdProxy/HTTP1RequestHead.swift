import NIOHTTP1

/// A request head read from a client: request line parsed, and the body framing decided by
/// `HTTPRequestValidation`.
struct HTTP1RequestHead {
    let head: HTTP1Head
    let methodRange: Range<Int>
    let targetRange: Range<Int>
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    let minorVersion: Int

    /// Parses the request line `method SP request-target SP HTTP/1.x`; any other major or minor
    /// version is `.unsupportedVersion`.
    init(_ head: HTTP1Head) throws(HTTP1SyntaxError) {
        self.head = head
        let line = head.startLine
        let parsed = head.bytes.withUnsafeReadableBytes { raw -> (Range<Int>, Range<Int>, UInt8, UInt8)? in
            var position = line.lowerBound
            while position < line.upperBound, HTTP1Grammar.isToken(raw[position]) { position += 1 }
            let method = line.lowerBound..<position
            guard !method.isEmpty, position < line.upperBound, raw[position] == UInt8(ascii: " ") else { return nil }
            position += 1
            let targetStart = position
            while position < line.upperBound, HTTP1Grammar.isTargetByte(raw[position]) { position += 1 }
            let target = targetStart..<position
            let version = position + 1
            guard !target.isEmpty, line.upperBound - version == 8, raw[position] == UInt8(ascii: " "),
                HTTP1Grammar.isVersion(raw, at: version)
            else { return nil }
            return (method, target, raw[version + 5], raw[version + 7])
        }
        guard let (method, target, major, minor) = parsed else { throw .malformed("malformed request line") }
        guard major == UInt8(ascii: "1"), minor <= UInt8(ascii: "1") else {
            throw HTTP1SyntaxError(
                kind: .unsupportedVersion,
                reason: "HTTP version \(Character(Unicode.Scalar(major))).\(Character(Unicode.Scalar(minor))) is not supported")
        }
        methodRange = method
        targetRange = target
        minorVersion = Int(minor - UInt8(ascii: "0"))
    }

    /// The method: the common ones recognised from the bytes, any other through a String.
    var method: HTTPMethod {
        let common: HTTPMethod? = head.bytes.withUnsafeReadableBytes { raw in
            let bytes = UnsafeRawBufferPointer(rebasing: raw[methodRange])
            func spells(_ name: StaticString) -> Bool {
                name.withUTF8Buffer { $0.elementsEqual(bytes) }
            }
            switch bytes.count {
            case 3 where spells("GET"): return .GET
            case 3 where spells("PUT"): return .PUT
            case 4 where spells("HEAD"): return .HEAD
            case 4 where spells("POST"): return .POST
            case 5 where spells("PATCH"): return .PATCH
            case 6 where spells("DELETE"): return .DELETE
            case 7 where spells("OPTIONS"): return .OPTIONS
            default: return nil
            }
        }
        return common ?? HTTPMethod(rawValue: head.text(methodRange))
    }
    var uri: String { head.text(targetRange) }
    var version: HTTPVersion { HTTPVersion(major: 1, minor: minorVersion) }

    /// Whether the client asks to switch its connection to another protocol (WebSocket, h2c): an
    /// HTTP/1.1 request with `Upgrade` named in `Connection`.
    var asksUpgrade: Bool { minorVersion == 1 && head.asksUpgrade }

    /// Whether the client keeps its connection after the response (RFC 9112 §9.3).
    var isKeepAlive: Bool {
        head.keepsConnection(minorVersion: minorVersion)
    }
}
