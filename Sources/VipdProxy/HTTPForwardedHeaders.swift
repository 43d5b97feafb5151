import NIOCore
import VipdConfig

/// How the head of a request and of its response change in the proxy (pure): everything else is
/// copied byte for byte, in the order it came.
///
/// Hop-by-hop headers (RFC 9110 §7.6.1: `Connection` and every header it names, `Keep-Alive`,
/// `Proxy-Connection`, `TE`, `Trailer`, `Upgrade`) belong to one connection and are dropped.
/// `Content-Length` and `Transfer-Encoding` stay: the body is forwarded with the framing they
/// describe. `Host` is kept as the client sent it. A request that asks to switch protocols keeps its
/// `Upgrade` field and says `Connection: upgrade` to the server, and so does a `101 Switching
/// Protocols` answer to the client: the upgrade is end to end through vipd.
enum HTTPForwardedHeaders {
    /// Writes the request head for the server: the request line as sent, hop-by-hop headers removed,
    /// `X-Forwarded-For` appended to, `X-Forwarded-Proto` set and `Forwarded` appended to as
    /// `settings` say (each moved to the end), and the server connection's own `Connection` header:
    /// `upgrade` for a request asking to switch protocols, else `close` with `server_reuse: never`,
    /// `keep-alive` for an HTTP/1.0 request that may leave its connection reusable, none for HTTP/1.1
    /// (keep-alive by default).
    static func writeRequest(
        _ request: HTTP1RequestHead, clientAddress: String?, settings: HTTPListenerSettings, into buffer: inout ByteBuffer
    ) {
        let head = request.head
        let replacesForwardedFor = settings.forwardedFor && clientAddress != nil
        let upgrading = request.asksUpgrade
        head.copyLines(from: 0, keeping: { field in
            guard head.isEndToEnd(field) else { return upgrading && field.name == .upgrade }
            switch field.name {
            case .xForwardedFor: return !replacesForwardedFor
            case .xForwardedProto: return !settings.forwardedProto
            case .forwarded: return !settings.forwarded
            default: return true
            }
        }, to: &buffer)
        if replacesForwardedFor, let clientAddress {
            buffer.writeStaticString("X-Forwarded-For: ")
            for field in head.fields where field.name == .xForwardedFor {
                head.copy(field.valueRange, to: &buffer)
                buffer.writeStaticString(", ")
            }
            buffer.writeString(clientAddress)
            buffer.writeStaticString("\r\n")
        }
        if settings.forwardedProto {
            writeField("X-Forwarded-Proto", "http", to: &buffer)
        }
        if settings.forwarded {
            let element = clientAddress.map { "for=\(forwardedNode($0));proto=http" } ?? "proto=http"
            writeField("Forwarded", appended(element, to: head.values(.forwarded)), to: &buffer)
        }
        switch settings.serverReuse {
        case _ where upgrading: writeField("Connection", "upgrade", to: &buffer)
        case .never: writeField("Connection", "close", to: &buffer)
        case .safe where request.minorVersion == 0: writeField("Connection", "keep-alive", to: &buffer)
        case .safe: break
        }
        buffer.writeStaticString("\r\n")
    }

    /// Writes the response head for the client: the status line in the client's HTTP version,
    /// hop-by-hop headers removed (and `Transfer-Encoding` when the chunks are decoded for an HTTP/1.0
    /// client), and `Connection: close` when vipd closes the client connection after this response,
    /// `Connection: keep-alive` when an HTTP/1.0 client keeps it; a response `switching` protocols
    /// keeps its `Upgrade` field and says `Connection: upgrade`.
    static func writeResponse(
        _ response: HTTP1ResponseHead, clientMinorVersion: Int, keepAlive: Bool, decodingChunks: Bool,
        switching: Bool = false, into buffer: inout ByteBuffer
    ) {
        let head = response.head
        buffer.writeStaticString(clientMinorVersion == 0 ? "HTTP/1.0" : "HTTP/1.1")
        head.copyLines(from: response.statusRange.lowerBound, keeping: { field in
            guard head.isEndToEnd(field) else { return switching && field.name == .upgrade }
            return !(decodingChunks && field.name == .transferEncoding)
        }, to: &buffer)
        if switching {
            writeField("Connection", "upgrade", to: &buffer)
        } else if !keepAlive {
            writeField("Connection", "close", to: &buffer)
        } else if clientMinorVersion == 0 {
            writeField("Connection", "keep-alive", to: &buffer)
        }
        buffer.writeStaticString("\r\n")
    }

    /// Writes `name: value` and CRLF.
    static func writeField(_ name: String, _ value: String, to buffer: inout ByteBuffer) {
        buffer.writeString(name)
        buffer.writeStaticString(": ")
        buffer.writeString(value)
        buffer.writeStaticString("\r\n")
    }

    /// `value` appended to the comma-separated list in the existing `values` (one or more header lines).
    private static func appended(_ value: String, to values: [String]) -> String {
        (values + [value]).joined(separator: ", ")
    }

    /// A `Forwarded` node for an IP address: bare for IPv4, quoted and bracketed for IPv6 (RFC 7239 §6).
    static func forwardedNode(_ address: String) -> String {
        address.contains(":") ? "\"[\(address)]\"" : address
    }
}
