import Synchronization

/// What one listener saw since the daemon started: client connections accepted, and what it refused
/// or answered on its own (haproxy's frontend counters). Lock-free, bumped from every event loop.
public final class ListenerTraffic: Sendable {
    private let connections = Atomic<Int>(0)
    private let noServer = Atomic<Int>(0)
    private let badRequests = Atomic<Int>(0)
    private let requestTimeouts = Atomic<Int>(0)
    /// Every HTTP response the listener's clients got, the servers' and vipd's own, by status class.
    let responses = HTTPStatusClassCounters()

    /// Counters of their own, for a listener outside a ``TrafficCounters`` (tests).
    public init() {}

    /// A client connection was accepted.
    func accepted() {
        connections.add(1, ordering: .relaxed)
    }

    /// A connection (`mode: tcp`) or request (`mode: http`) was refused because no server of the pool
    /// took new connections.
    func refusedForNoServer() {
        noServer.add(1, ordering: .relaxed)
    }

    /// A request vipd could not take: answered 4xx because it was not valid HTTP (a TLS handshake
    /// included) or broke a limit, or cut by the client with its head incomplete.
    func rejectedBadRequest() {
        badRequests.add(1, ordering: .relaxed)
    }

    /// A client sent no complete request head within the request timeout.
    func requestTimedOut() {
        requestTimeouts.add(1, ordering: .relaxed)
    }

    /// The counters now.
    public var reading: Reading {
        Reading(
            connections: connections.load(ordering: .relaxed), noServer: noServer.load(ordering: .relaxed),
            badRequests: badRequests.load(ordering: .relaxed), requestTimeouts: requestTimeouts.load(ordering: .relaxed),
            responses: responses.reading)
    }

    /// One reading of a listener's counters.
    public struct Reading: Sendable, Equatable {
        /// Client connections accepted.
        public var connections: Int
        /// Connections or requests refused because the pool had no server.
        public var noServer: Int
        /// Requests vipd refused as invalid (haproxy's `ereq`).
        public var badRequests: Int
        /// Connections closed (408) for want of a request head in time.
        public var requestTimeouts: Int
        /// HTTP responses by class, in ``HTTPStatusClassCounters/classes`` order.
        public var responses: [Int]
    }
}
