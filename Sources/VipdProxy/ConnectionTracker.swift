import NIOConcurrencyHelpers
import NIOCore
import VipdCore

/// Every open client connection of the process (HTTP-mode channels and relayed TCP-mode
/// connections), so that shutdown can tell them to finish, learn when the last one closed, and close
/// the rest when the drain time is over; and so that the connections accepted on a virtual address
/// can be reset when it leaves this node.
public final class ConnectionTracker: Sendable {
    private struct State {
        var quiescing = ConnectionQuiescing<ObjectIdentifier, any TrackedConnection, EventLoopPromise<Void>>()
        /// Those waiting for some of the open connections to close.
        var closeWaiters: [CloseWaiter] = []
    }

    /// A promise kept until every connection it names closed.
    private struct CloseWaiter {
        var remaining: Set<ObjectIdentifier>
        let promise: EventLoopPromise<Void>
    }

    private let state = NIOLockedValueBox(State())
    /// Where the futures this tracker returns complete.
    private let eventLoop: any EventLoop
    /// What each server carried, for the stats page and metrics.
    public let traffic = TrafficCounters()
    /// The TCP-mode connections relayed now (a stopping vipd hands them on).
    public let relayed: RelayedConnections

    /// A tracker whose futures complete on `eventLoop`.
    public init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
        relayed = RelayedConnections()
    }

    /// Tracks `connection` until it reports its close (``untrack(_:)``); during a drain it is told to finish at once.
    func track(_ connection: any TrackedConnection) {
        let id = ObjectIdentifier(connection)
        if let late = state.withLockedValue({ $0.quiescing.add(connection, key: id) }) { late.quiesce() }
    }

    /// Tracks an HTTP-mode client `channel` until it closes.
    func track(_ channel: Channel) {
        let connection = TrackedChannel(channel)
        track(connection)
        channel.closeFuture.whenComplete { [self] _ in untrack(connection) }
    }

    /// `connection` closed.
    func untrack(_ connection: any TrackedConnection) {
        let id = ObjectIdentifier(connection)
        var resumed: [EventLoopPromise<Void>] = []
        state.withLockedValue { state in
            resumed = state.quiescing.remove(id)
            guard !state.closeWaiters.isEmpty else { return }
            var index = 0
            while index < state.closeWaiters.count {
                state.closeWaiters[index].remaining.remove(id)
                if state.closeWaiters[index].remaining.isEmpty {
                    resumed.append(state.closeWaiters.remove(at: index).promise)
                } else {
                    index += 1
                }
            }
        }
        for promise in resumed { promise.succeed() }
    }

    /// Client connections open now.
    public var count: Int {
        state.withLockedValue { $0.quiescing.open.count }
    }

    /// Client connections open now that were accepted on one of `addresses`.
    public func count(acceptedOn addresses: Set<IPAddress>) -> Int {
        state.withLockedValue { state in
            state.quiescing.open.values.count { $0.acceptedOn.map(addresses.contains) ?? false }
        }
    }

    /// Begins the drain: tells every open connection (and every one tracked later) to finish
    /// (``TrackedConnection/quiesce()``), and succeeds `allClosed` when none is left open. Returns how
    /// many were open.
    public func quiesce(whenAllClosed allClosed: EventLoopPromise<Void>) -> Int {
        let (action, count) = state.withLockedValue { ($0.quiescing.drain(allClosed), $0.quiescing.open.count) }
        switch action {
        case .resume(let waiter): waiter.succeed()
        case .quiesce(let connections): connections.forEach { $0.quiesce() }
        case .wait: break
        }
        return count
    }

    /// The open connections (those accepted on one of `addresses`, when given), and a future that
    /// completes when all of them are closed (nil when none).
    private func select(acceptedOn addresses: Set<IPAddress>?) -> (connections: [any TrackedConnection], closed: EventLoopFuture<Void>?) {
        state.withLockedValue { state in
            let matching = state.quiescing.open.values.filter { connection in
                guard let addresses else { return true }
                return connection.acceptedOn.map(addresses.contains) ?? false
            }
            guard !matching.isEmpty else { return ([], nil) }
            let promise = eventLoop.makePromise(of: Void.self)
            state.closeWaiters.append(CloseWaiter(remaining: Set(matching.map(ObjectIdentifier.init)), promise: promise))
            return (matching, promise.futureResult)
        }
    }

    /// Closes every tracked connection; returns how many were open and a future that completes
    /// when all of them are closed (nil when none was open).
    public func closeAll() -> (count: Int, closed: EventLoopFuture<Void>?) {
        let (open, closed) = select(acceptedOn: nil)
        for connection in open { connection.close() }
        return (open.count, closed)
    }

    /// Every client connection open now: how many, and a future that completes when all of them
    /// are closed (nil when none).
    public func open() -> (count: Int, closed: EventLoopFuture<Void>?) {
        let (open, closed) = select(acceptedOn: nil)
        return (open.count, closed)
    }

    /// Resets every client connection (see ``reset(acceptedOn:)``).
    @discardableResult
    public func resetAll() -> (count: Int, closed: EventLoopFuture<Void>?) {
        let (open, closed) = select(acceptedOn: nil)
        for connection in open { connection.reset() }
        return (open.count, closed)
    }

    /// The client connections open now that were accepted on one of `addresses`: how many, and a
    /// future that completes when all of them are closed (nil when none).
    public func open(acceptedOn addresses: Set<IPAddress>) -> (count: Int, closed: EventLoopFuture<Void>?) {
        let (open, closed) = select(acceptedOn: addresses)
        return (open.count, closed)
    }

    /// Resets (TCP RST, through SO_LINGER 0) every client connection accepted on one of
    /// `addresses`, so clients learn at once that a virtual address left this node instead of
    /// waiting on a connection whose packets now reach another host. Returns how many were reset
    /// and a future that completes when all of them are closed (nil when none).
    @discardableResult
    public func reset(acceptedOn addresses: Set<IPAddress>) -> (count: Int, closed: EventLoopFuture<Void>?) {
        let (open, closed) = select(acceptedOn: addresses)
        for connection in open { connection.reset() }
        return (open.count, closed)
    }
}
