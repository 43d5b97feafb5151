import NIOHTTP1

/// Why a request is answered by vipd itself instead of being forwarded, and with which status.
struct HTTPRejection: Error, Equatable {
    let status: HTTPResponseStatus
    let reason: String
}

/// Checks a request head before it is forwarded (pure). `HTTP1HeadParser` already refused
/// malformed lines and fields; this adds what a proxy must refuse so that it and the server cannot
/// disagree on where a request ends (request smuggling), and the body size limit.
enum HTTPRequestValidation {
    /// The framing of `request`'s body, or the rejection of the request.
    static func framing(of request: HTTP1RequestHead, maxBodyBytes: Int) -> Result<HTTP1BodyFraming, HTTPRejection> {
        let head = request.head
        let hosts = head.count(.host)
        if hosts > 1 {
            return .failure(HTTPRejection(status: .badRequest, reason: "\(hosts) Host headers"))
        }
        if request.minorVersion == 1, hosts == 0 {
            return .failure(HTTPRejection(status: .badRequest, reason: "HTTP/1.1 request without a Host header"))
        }
        if head.contains(.transferEncoding) {
            if request.minorVersion == 0 {
                // RFC 9112 §6.1: HTTP/1.0 knows no chunks; a server may read the body another way.
                return .failure(HTTPRejection(status: .badRequest, reason: "Transfer-Encoding in an HTTP/1.0 request"))
            }
            if head.contains(.contentLength) {
                return .failure(HTTPRejection(status: .badRequest, reason: "both Content-Length and Transfer-Encoding"))
            }
            let encodings = head.values(.transferEncoding)
            guard encodings.count == 1, encodings[0].lowercased() == "chunked" else {
                return .failure(
                    HTTPRejection(
                        status: .badRequest, reason: "unsupported Transfer-Encoding \"\(encodings.joined(separator: ", "))\""))
            }
            return .success(.chunked)
        }
        switch head.contentLength(allowingRepeats: false) {
        case nil:
            return .success(.none)
        case .failure:
            return .failure(
                HTTPRejection(
                    status: .badRequest,
                    reason: "invalid Content-Length \"\(head.values(.contentLength).joined(separator: ", "))\""))
        case .success(let value) where value > maxBodyBytes:
            return .failure(bodyTooLarge(maxBodyBytes: maxBodyBytes))
        case .success(let value):
            return .success(value == 0 ? .none : .length(value))
        }
    }

    /// The rejection of a body longer than `maxBodyBytes`.
    static func bodyTooLarge(maxBodyBytes: Int) -> HTTPRejection {
        HTTPRejection(status: .payloadTooLarge, reason: "request body larger than \(maxBodyBytes) bytes")
    }

    /// The answer to request bytes that are not valid HTTP/1.1.
    static func rejection(for error: HTTP1SyntaxError, maxBodyBytes: Int) -> HTTPRejection {
        switch error.kind {
        case .headTooLarge:
            HTTPRejection(status: .requestHeaderFieldsTooLarge, reason: "request headers over the size or count limit")
        case .bodyTooLarge:
            bodyTooLarge(maxBodyBytes: maxBodyBytes)
        case .unsupportedVersion:
            HTTPRejection(status: .httpVersionNotSupported, reason: error.reason)
        case .malformed:
            HTTPRejection(status: .badRequest, reason: "malformed request (\(error.reason))")
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
