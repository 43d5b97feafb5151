import NIOConcurrencyHelpers
import Synchronization

/// What one server of a pool carried since the daemon started: connections (`mode: tcp`) or
/// requests (`mode: http`) open now and in all, bytes each way, and what went wrong with it. Updated
/// lock-free from every event loop as bytes flow, so the stats page shows a long ssh session's traffic
/// while it lasts, not only when it ends.
public final class ServerTraffic: Sendable {
    private let active = Atomic<Int>(0)
    private let connections = Atomic<Int>(0)
    private let requests = Atomic<Int>(0)
    private let fromClient = Atomic<Int>(0)
    private let fromServer = Atomic<Int>(0)
    private let connectErrors = Atomic<Int>(0)
    private let retries = Atomic<Int>(0)
    private let redispatches = Atomic<Int>(0)
    private let responseErrors = Atomic<Int>(0)
    private let timeouts = Atomic<Int>(0)
    /// The server's HTTP responses by status class.
    let responses = HTTPStatusClassCounters()

    init() {}

    /// A client connection was joined to the server (`mode: tcp`).
    func connectionOpened() {
        active.add(1, ordering: .relaxed)
        connections.add(1, ordering: .relaxed)
    }

    /// An HTTP request was given to the server (`mode: http`).
    func requestStarted() {
        active.add(1, ordering: .relaxed)
        requests.add(1, ordering: .relaxed)
    }

    /// A connection or request counted by `connectionOpened` or `requestStarted` ended.
    func ended() {
        active.subtract(1, ordering: .relaxed)
    }

    /// `count` bytes read from the client and forwarded to the server.
    func addBytesFromClient(_ count: Int) {
        fromClient.add(count, ordering: .relaxed)
    }

    /// `count` bytes read from the server and forwarded to the client.
    func addBytesFromServer(_ count: Int) {
        fromServer.add(count, ordering: .relaxed)
    }

    /// A connection attempt to the server failed (refused, timed out, unreachable).
    func connectFailed() {
        connectErrors.add(1, ordering: .relaxed)
    }

    /// A connection or request this server failed was tried again on another server.
    func retried() {
        retries.add(1, ordering: .relaxed)
    }

    /// The server took a connection or request another server had failed.
    func redispatched() {
        redispatches.add(1, ordering: .relaxed)
    }

    /// The server closed or broke its connection before its response was complete.
    func responseFailed() {
        responseErrors.add(1, ordering: .relaxed)
    }

    /// The server sent nothing within the server timeout.
    func timedOut() {
        timeouts.add(1, ordering: .relaxed)
    }

    /// The counters now.
    public var reading: Reading {
        Reading(
            activeConnections: active.load(ordering: .relaxed), totalConnections: connections.load(ordering: .relaxed),
            totalRequests: requests.load(ordering: .relaxed),
            bytesFromClient: fromClient.load(ordering: .relaxed), bytesFromServer: fromServer.load(ordering: .relaxed),
            connectErrors: connectErrors.load(ordering: .relaxed), retries: retries.load(ordering: .relaxed),
            redispatches: redispatches.load(ordering: .relaxed), responseErrors: responseErrors.load(ordering: .relaxed),
            timeouts: timeouts.load(ordering: .relaxed), responses: responses.reading)
    }

    /// One reading of a server's counters.
    public struct Reading: Sendable, Equatable {
        /// Connections (`mode: tcp`) or requests (`mode: http`) open now.
        public var activeConnections: Int
        /// Client connections joined to the server since the start (`mode: tcp`).
        public var totalConnections: Int
        /// HTTP requests given to the server since the start (`mode: http`).
        public var totalRequests: Int
        /// Bytes from clients to the server.
        public var bytesFromClient: Int
        /// Bytes from the server to clients.
        public var bytesFromServer: Int
        /// Failed connection attempts to the server.
        public var connectErrors: Int
        /// Connections or requests the server failed that were tried on another server.
        public var retries: Int
        /// Connections or requests the server took after another server failed them.
        public var redispatches: Int
        /// Responses the server broke off (closed before or during the response).
        public var responseErrors: Int
        /// Requests the server did not answer within the server timeout.
        public var timeouts: Int
        /// HTTP responses by class, in ``HTTPStatusClassCounters/classes`` order.
        public var responses: [Int]

        public init(
            activeConnections: Int = 0, totalConnections: Int = 0, totalRequests: Int = 0, bytesFromClient: Int = 0,
            bytesFromServer: Int = 0, connectErrors: Int = 0, retries: Int = 0, redispatches: Int = 0,
            responseErrors: Int = 0, timeouts: Int = 0, responses: [Int] = Array(repeating: 0, count: HTTPStatusClassCounters.classes.count)
        ) {
            self.activeConnections = activeConnections
            self.totalConnections = totalConnections
            self.totalRequests = totalRequests
            self.bytesFromClient = bytesFromClient
            self.bytesFromServer = bytesFromServer
            self.connectErrors = connectErrors
            self.retries = retries
            self.redispatches = redispatches
            self.responseErrors = responseErrors
            self.timeouts = timeouts
            self.responses = responses
        }
    }
}

/// Every server's ``ServerTraffic`` by pool and server name, and every listener's ``ListenerTraffic``
/// by name. Lives as long as the process (it hangs off the engine's ``ConnectionTracker``), so a reload
/// that rebuilds a pool or a listener keeps its counters and Prometheus counters never go back.
public final class TrafficCounters: Sendable {
    /// A server by pool name and server name.
    public struct Key: Sendable, Hashable {
        public var pool: String
        public var server: String

        public init(pool: String, server: String) {
            self.pool = pool
            self.server = server
        }
    }

    private let servers = NIOLockedValueBox<[Key: ServerTraffic]>([:])
    private let listeners = NIOLockedValueBox<[String: ListenerTraffic]>([:])

    public init() {}

    /// The counters of server `server` of pool `pool`, created at zero on first use.
    func server(_ server: String, of pool: String) -> ServerTraffic {
        servers.withLockedValue { servers in
            let key = Key(pool: pool, server: server)
            if let existing = servers[key] { return existing }
            let created = ServerTraffic()
            servers[key] = created
            return created
        }
    }

    /// The counters of listener `name`, created at zero on first use.
    func listener(_ name: String) -> ListenerTraffic {
        listeners.withLockedValue { listeners in
            if let existing = listeners[name] { return existing }
            let created = ListenerTraffic()
            listeners[name] = created
            return created
        }
    }

    /// Every server's counters now (servers of pools never configured are absent).
    public var readings: [Key: ServerTraffic.Reading] {
        servers.withLockedValue { $0 }.mapValues(\.reading)
    }

    /// Every listener's counters now, by listener name (listeners never configured are absent).
    public var listenerReadings: [String: ListenerTraffic.Reading] {
        listeners.withLockedValue { $0 }.mapValues(\.reading)
    }
}
