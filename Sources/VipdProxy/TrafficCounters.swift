import NIOConcurrencyHelpers
import Synchronization

/// What one server of a pool carried since the daemon started: connections open now and in all,
/// bytes each way. Updated lock-free from every event loop as bytes flow, so the stats page shows a
/// long ssh session's traffic while it lasts, not only when it ends.
public final class ServerTraffic: Sendable {
    private let active = Atomic<Int>(0)
    private let total = Atomic<Int>(0)
    private let fromClient = Atomic<Int>(0)
    private let fromServer = Atomic<Int>(0)

    init() {}

    /// A connection to the server was established.
    func connectionOpened() {
        active.add(1, ordering: .relaxed)
        total.add(1, ordering: .relaxed)
    }

    /// A connection counted by `connectionOpened` ended.
    func connectionClosed() {
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

    /// The counters now.
    public var reading: Reading {
        Reading(
            activeConnections: active.load(ordering: .relaxed), totalConnections: total.load(ordering: .relaxed),
            bytesFromClient: fromClient.load(ordering: .relaxed), bytesFromServer: fromServer.load(ordering: .relaxed))
    }

    /// One reading of a server's counters.
    public struct Reading: Sendable, Equatable {
        /// Connections open now.
        public var activeConnections: Int
        /// Connections established since the start.
        public var totalConnections: Int
        /// Bytes from clients to the server.
        public var bytesFromClient: Int
        /// Bytes from the server to clients.
        public var bytesFromServer: Int

        public init(activeConnections: Int, totalConnections: Int, bytesFromClient: Int, bytesFromServer: Int) {
            self.activeConnections = activeConnections
            self.totalConnections = totalConnections
            self.bytesFromClient = bytesFromClient
            self.bytesFromServer = bytesFromServer
        }
    }
}

/// Every server's ``ServerTraffic``, by pool and server name. Lives as long as the process (it hangs
/// off the engine's ``ConnectionTracker``), so a reload that rebuilds a pool keeps its counters and
/// Prometheus counters never go back.
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

    /// Every server's counters now (servers that never carried a connection are absent).
    public var readings: [Key: ServerTraffic.Reading] {
        servers.withLockedValue { $0 }.mapValues(\.reading)
    }
}
