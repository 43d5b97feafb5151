import NIOHTTP1
import VipdConfig

/// How the headers of a request and of its response change in the proxy (pure).
///
/// Hop-by-hop headers (RFC 9110 §7.6.1: `Connection` and every header it names, `Keep-Alive`,
/// `Proxy-Connection`, `TE`, `Trailer`, `Upgrade`) belong to one connection and are dropped.
/// `Content-Length` and `Transfer-Encoding` stay: they frame the body, which NIO re-encodes as
/// they say. `Host` is kept as the client sent it.
enum HTTPForwardedHeaders {
    /// Headers that belong to one connection, lowercased.
    static let hopByHop: Set<String> = ["connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade"]

    /// The request headers for the server: hop-by-hop headers removed, `X-Forwarded-For` appended to,
    /// `X-Forwarded-Proto` set and `Forwarded` appended to as `settings` say, and the server
    /// connection's own `Connection` header: `close` with `server_reuse: never`, `keep-alive` for an
    /// HTTP/1.0 request that may leave its connection reusable, none for HTTP/1.1 (keep-alive by default).
    static func request(
        _ original: HTTPHeaders, version: HTTPVersion, clientAddress: String?, settings: HTTPListenerSettings
    ) -> HTTPHeaders {
        var headers = withoutHopByHop(original)
        if settings.forwardedFor, let clientAddress {
            headers.replaceOrAdd(name: "X-Forwarded-For", value: appended(clientAddress, to: original["X-Forwarded-For"]))
        }
        if settings.forwardedProto {
            headers.replaceOrAdd(name: "X-Forwarded-Proto", value: "http")
        }
        if settings.forwarded {
            let element = clientAddress.map { "for=\(forwardedNode($0));proto=http" } ?? "proto=http"
            headers.replaceOrAdd(name: "Forwarded", value: appended(element, to: original["Forwarded"]))
        }
        switch settings.serverReuse {
        case .never: headers.add(name: "Connection", value: "close")
        case .safe where version.major == 1 && version.minor == 0: headers.add(name: "Connection", value: "keep-alive")
        case .safe: break
        }
        return headers
    }

    /// The response headers for the client: hop-by-hop headers removed, and `Connection: close` when
    /// vipd closes the client connection after this response, `Connection: keep-alive` when an
    /// HTTP/1.0 client keeps it.
    static func response(_ original: HTTPHeaders, clientVersion: HTTPVersion, keepAlive: Bool) -> HTTPHeaders {
        var headers = withoutHopByHop(original)
        if !keepAlive {
            headers.add(name: "Connection", value: "close")
        } else if clientVersion.minor == 0 {
            headers.add(name: "Connection", value: "keep-alive")
        }
        return headers
    }

    /// `headers` without the hop-by-hop ones, including those named in `Connection` (names compared
    /// case-insensitively; nothing is copied when there is none, the common case for requests).
    static func withoutHopByHop(_ headers: HTTPHeaders) -> HTTPHeaders {
        var result = headers
        for name in hopByHop where result.contains(name: name) {
            if name == "connection" {
                for named in headers[canonicalForm: "connection"] { result.remove(name: String(named)) }
            }
            result.remove(name: name)
        }
        return result
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
