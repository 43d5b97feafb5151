import NIOHTTP1

/// Why a request is answered by vipd itself instead of being forwarded, and with which status.
struct HTTPRejection: Error, Equatable {
    let status: HTTPResponseStatus
    let reason: String
}

/// Checks a request head before it is forwarded (pure). The request decoder (llhttp) already rejects
/// malformed request lines, header syntax and invalid chunk framing; this adds what a proxy must
/// refuse so that it and the server cannot disagree on where a request ends (request smuggling),
/// and the body size limit.
enum HTTPRequestValidation {
    /// The rejection for `head`, or nil when it may be forwarded.
    static func check(_ head: HTTPRequestHead, maxBodyBytes: Int) -> HTTPRejection? {
        guard head.version.major == 1, head.version.minor <= 1 else {
            return HTTPRejection(status: .httpVersionNotSupported, reason: "HTTP version \(head.version) is not supported")
        }
        let hosts = head.headers["Host"]
        if hosts.count > 1 {
            return HTTPRejection(status: .badRequest, reason: "\(hosts.count) Host headers")
        }
        if head.version.minor == 1, hosts.isEmpty {
            return HTTPRejection(status: .badRequest, reason: "HTTP/1.1 request without a Host header")
        }
        let lengths = head.headers["Content-Length"]
        let encodings = head.headers["Transfer-Encoding"]
        if !lengths.isEmpty, !encodings.isEmpty {
            return HTTPRejection(status: .badRequest, reason: "both Content-Length and Transfer-Encoding")
        }
        if !encodings.isEmpty {
            guard encodings.count == 1, encodings[0].trimmingSpaces.lowercased() == "chunked" else {
                return HTTPRejection(
                    status: .badRequest, reason: "unsupported Transfer-Encoding \"\(encodings.joined(separator: ", "))\"")
            }
            return nil
        }
        guard let length = lengths.first else { return nil }
        guard lengths.count == 1, let value = Int(length.trimmingSpaces), value >= 0,
            length.trimmingSpaces.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            return HTTPRejection(status: .badRequest, reason: "invalid Content-Length \"\(lengths.joined(separator: ", "))\"")
        }
        if value > maxBodyBytes {
            return bodyTooLarge(maxBodyBytes: maxBodyBytes)
        }
        return nil
    }

    /// The rejection of a body longer than `maxBodyBytes`.
    static func bodyTooLarge(maxBodyBytes: Int) -> HTTPRejection {
        HTTPRejection(status: .payloadTooLarge, reason: "request body larger than \(maxBodyBytes) bytes")
    }

    /// The answer to a request the decoder could not parse.
    static func rejection(for error: HTTPParserError) -> HTTPRejection {
        switch error {
        case .headerOverflow:
            HTTPRejection(status: .requestHeaderFieldsTooLarge, reason: "request headers over the size or count limit")
        case .unexpectedContentLength:
            HTTPRejection(status: .badRequest, reason: "both Content-Length and Transfer-Encoding")
        case .invalidChunkSize:
            HTTPRejection(status: .badRequest, reason: "invalid chunked encoding")
        default:
            HTTPRejection(status: .badRequest, reason: "malformed request (\(error))")
        }
    }

    /// Methods that may be sent again after a server dropped the connection before answering (RFC 9110 §9.2.2).
    static func isIdempotent(_ method: HTTPMethod) -> Bool {
        switch method {
        case .GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE: true
        default: false
        }
    }
}

extension String {
    /// Without leading and trailing spaces and tabs (HTTP optional whitespace).
    fileprivate var trimmingSpaces: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return self[start...end]
    }
}
