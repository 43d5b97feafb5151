/// One listener: where it listens, its pool, and what it accepted, refused and answered
/// (haproxy's frontend counters).
public struct ListenerStats: Codable, Sendable, Equatable {
    public var name: String
    /// `ADDRESS:PORT`.
    public var bind: String
    /// `tcp` or `http`.
    public var mode: String
    public var pool: String
    /// Client connections accepted.
    public var connections: Int
    /// Connections (`mode: tcp`) or requests (`mode: http`) refused because no server of the pool took
    /// new connections (the sorry page in HTTP mode).
    public var noServer: Int
    /// Requests vipd answered 4xx itself because they were not valid HTTP or broke a limit (haproxy's `ereq`).
    public var badRequests: Int
    /// Clients that sent no complete request head within the request timeout (answered 408).
    public var requestTimeouts: Int
    /// Every HTTP response the listener's clients got, the servers' and vipd's own, by status class.
    public var httpResponses: [String: Int]

    public init(
        name: String, bind: String, mode: String, pool: String, connections: Int, noServer: Int, badRequests: Int,
        requestTimeouts: Int, httpResponses: [String: Int]
    ) {
        self.name = name
        self.bind = bind
        self.mode = mode
        self.pool = pool
        self.connections = connections
        self.noServer = noServer
        self.badRequests = badRequests
        self.requestTimeouts = requestTimeouts
        self.httpResponses = httpResponses
    }
}
