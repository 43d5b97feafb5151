import NIOCore
import NIOHTTP1

/// One request in flight on a client connection: what is forwarded, what may be sent again, and
/// what the access log line will say (the decisions on it are `HTTPConnectionStateMachine`'s).
/// Confined to the client channel's event loop.
final class HTTPExchange {
    /// Request bodies up to this size are kept until the response starts, so that an idempotent
    /// request can be sent again to the next server when the first one drops the connection.
    static let replayLimit = 64 * 1024

    /// The request head as the client sent it; nil for bytes that never made a request head.
    let request: HTTP1RequestHead?
    /// The request head as it goes to the server (forwarded headers added, hop-by-hop ones removed).
    let forwarded: ByteBuffer
    let method: HTTPMethod
    /// The client's HTTP minor version (1 when the request head was never read); kept apart from
    /// `request` so that reading it copies nothing.
    let clientMinorVersion: Int
    /// When the request started, and when it reached a server and the response began: only read
    /// when the exchange is timed (when its access line will be written), nil otherwise.
    let startedAt: NIODeadline?
    /// Body parts not yet written to the server, or every part while the request may be sent again.
    var bodyParts: [ByteBuffer] = []
    /// Whether the request may still be sent again to another server: idempotent, its body kept
    /// whole, and no response started.
    private(set) var replayable: Bool
    var bytesIn = 0
    /// Whether the client asked to keep its connection after the response.
    let clientKeepsAlive: Bool
    /// Whether the request asks to switch protocols (WebSocket): a `101` answer turns the two
    /// connections into a tunnel.
    let asksUpgrade: Bool

    /// Whether the request may go on a parked server connection: it can be sent again unchanged
    /// (an idempotent method without a body) if the server closed that connection meanwhile.
    let mayUseParkedConnection: Bool

    /// The server connection carrying the request, and its hold on the server (nil before a server is
    /// attached and after it is let go).
    var backend: Channel?
    var backendHandler: HTTPBackendHandler?
    var lease: ServerLease?
    var server: String?
    var connectedAt: NIODeadline?
    var responseAt: NIODeadline?
    var status: Int?
    var bytesOut = 0
    var retries = 0
    var error: String?

    init(request: HTTP1RequestHead?, forwarded: ByteBuffer, framing: HTTP1BodyFraming, startedAt: NIODeadline?) {
        self.request = request
        self.forwarded = forwarded
        self.method = request?.method ?? .RAW(value: "-")
        self.clientMinorVersion = request?.minorVersion ?? 1
        self.startedAt = startedAt
        self.replayable = HTTPRequestValidation.isIdempotent(method)
        self.clientKeepsAlive = request?.isKeepAlive ?? false
        self.asksUpgrade = request?.asksUpgrade ?? false
        self.mayUseParkedConnection = replayable && framing == .none
    }

    /// Counts a body part of the request (`payload` data bytes) and keeps it for the first send or a later one.
    func receive(_ part: ByteBuffer, payload: Int) {
        bytesIn += payload
        if bytesIn > Self.replayLimit { replayable = false }
        if replayable || backend == nil { bodyParts.append(part) }
    }

    /// The request was written to a server: keep the body only while it may be sent again.
    func sent() {
        if !replayable { bodyParts = [] }
    }

    /// The response started: the request will not be sent again.
    func responseBegan(at now: NIODeadline?, status: Int) {
        responseAt = now
        self.status = status
        replayable = false
        bodyParts = []
    }

    /// The access log line of this exchange, at `now`.
    func accessLog(client: String, listener: String, pool: String, now: NIODeadline) -> HTTPAccessLog {
        let startedAt = startedAt ?? now
        return HTTPAccessLog(
            client: client, listener: listener, pool: pool, server: server,
            request: request.map { .init(method: method.rawValue, uri: $0.uri, version: "\($0.version)") }, status: status,
            connect: connectedAt.map { $0 - startedAt }, response: responseAt.map { $0 - startedAt },
            total: now - startedAt, bytesIn: bytesIn, bytesOut: bytesOut, retries: retries, error: error)
    }
}
