import Logging
import NIOCore
import VipdConfig

/// Why a proxied connection ended; the first cause seen wins.
public enum ConnectionEnd: String, Sendable {
    case clientClosed = "client-closed"
    case serverClosed = "server-closed"
    case clientReset = "client-reset"
    case serverReset = "server-reset"
    case idleTimeout = "idle-timeout"
    case noServer = "no-server"
    case connectFailed = "connect-failed"
    case shutdown = "shutdown"
    /// Handed, open, to the process that serves the sessions of a stopping vipd.
    case handedOver = "handed-over"
}

/// Everything the connection log line says about one client connection.
///
/// Confined to the client channel's event loop: both glue halves and the connector update it there.
final class ConnectionRecord {
    let client: SocketAddress?
    let listener: String
    let pool: String
    let acceptedAt: NIODeadline
    var server: String?
    var connectedAt: NIODeadline?
    var retries = 0
    /// The chosen server's counters, once connected: byte counts are added to them as they grow.
    var traffic: ServerTraffic?
    /// Bytes read from the client (client to server).
    var bytesFromClient = 0 { didSet { traffic?.addBytesFromClient(bytesFromClient - oldValue) } }
    /// Bytes read from the server (server to client).
    var bytesFromServer = 0 { didSet { traffic?.addBytesFromServer(bytesFromServer - oldValue) } }
    private(set) var end: ConnectionEnd?
    private var logged = false

    init(client: SocketAddress?, listener: String, pool: String, acceptedAt: NIODeadline) {
        self.client = client
        self.listener = listener
        self.pool = pool
        self.acceptedAt = acceptedAt
    }

    /// Records why the connection ends unless an earlier cause was already recorded.
    func noteEnd(_ cause: ConnectionEnd) {
        if end == nil { end = cause }
    }

    /// Log metadata of the connection's records: listener, pool and (once chosen) server.
    var metadata: Logger.Metadata {
        var metadata: Logger.Metadata = ["listener": "\(listener)", "pool": "\(pool)"]
        if let server { metadata["server"] = "\(server)" }
        return metadata
    }

    /// The log line, once: the caller logs it when both sides are closed.
    func takeLogLine(now: NIODeadline) -> String? {
        guard !logged else { return nil }
        logged = true
        return Self.format(
            client: client.map(Self.describe) ?? "unknown", listener: listener, pool: pool, server: server,
            connect: connectedAt.map { $0 - acceptedAt }, duration: now - acceptedAt,
            bytesIn: bytesFromClient, bytesOut: bytesFromServer, retries: retries, end: end ?? .clientClosed)
    }

    /// `ip:port` (IPv6 in brackets) for a socket address.
    static func describe(_ address: SocketAddress) -> String {
        let ip = address.ipAddress ?? "?"
        let port = address.port ?? 0
        if case .v6 = address { return "[\(ip)]:\(port)" }
        return "\(ip):\(port)"
    }

    /// One connection log line, haproxy tcplog's information in words: who, where, how long, how much, how it ended.
    static func format(
        client: String, listener: String, pool: String, server: String?, connect: TimeAmount?,
        duration: TimeAmount, bytesIn: Int, bytesOut: Int, retries: Int, end: ConnectionEnd
    ) -> String {
        let connectText = connect.map { "\($0.nanoseconds / 1_000_000)ms" } ?? "-"
        return "\(client) \(listener) \(pool)/\(server ?? "<none>") connect=\(connectText) "
            + "duration=\(duration.nanoseconds / 1_000_000)ms bytes_in=\(bytesIn) bytes_out=\(bytesOut) "
            + "retries=\(retries) end=\(end.rawValue)"
    }
}
