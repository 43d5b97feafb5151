import NIOConcurrencyHelpers
import NIOCore
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// Every open client channel of the process, so that shutdown can tell them to finish, learn when
/// the last one closed, and close the rest when the drain time is over.
public final class ConnectionTracker: Sendable {
    private let state = NIOLockedValueBox(ConnectionQuiescing<ObjectIdentifier, Channel, EventLoopPromise<Void>>())
    /// What each server carried, for the stats page and metrics.
    public let traffic = TrafficCounters()
    /// The TCP-mode connections glued now (a stopping vipd hands them on).
    public let glued = GluedConnections()
    /// The idle timeouts of the TCP-mode connections, one sweep per event loop and timeout.
    let idleSweeps = IdleSweeps()

    public init() {}

    /// Tracks `channel` until it closes; during a drain it is told to finish at once.
    func track(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        if let late = state.withLockedValue({ $0.add(channel, key: id) }) { Self.quiesce(late) }
        channel.closeFuture.whenComplete { [state] _ in
            for waiter in state.withLockedValue({ $0.remove(id) }) { waiter.succeed() }
        }
    }

    /// Client connections open now.
    public var count: Int {
        state.withLockedValue { $0.open.count }
    }

    /// Begins the drain: sends every open connection (and every one tracked later) a
    /// `ChannelShouldQuiesceEvent`, and succeeds `allClosed` when none is left open. Returns how
    /// many were open.
    public func quiesce(whenAllClosed allClosed: EventLoopPromise<Void>) -> Int {
        let (action, count) = state.withLockedValue { ($0.drain(allClosed), $0.open.count) }
        switch action {
        case .resume(let waiter): waiter.succeed()
        case .quiesce(let channels): channels.forEach(Self.quiesce)
        case .wait: break
        }
        return count
    }

    /// Asks `channel` to finish: close after the exchange under way, or now when idle.
    private static func quiesce(_ channel: Channel) {
        channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
    }

    private var channels: [Channel] {
        state.withLockedValue { Array($0.open.values) }
    }

    /// Closes every tracked connection; returns how many were open and a future that completes
    /// when all of them are closed (nil when none was open).
    public func closeAll() -> (count: Int, closed: EventLoopFuture<Void>?) {
        let open = channels
        for channel in open {
            channel.close(promise: nil)
        }
        guard let first = open.first else { return (0, nil) }
        return (open.count, EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: first.eventLoop))
    }

    /// Every client connection open now: how many, and a future that completes when all of them
    /// are closed (nil when none).
    public func open() -> (count: Int, closed: EventLoopFuture<Void>?) {
        let all = channels
        guard let first = all.first else { return (0, nil) }
        return (all.count, EventLoopFuture.andAllComplete(all.map(\.closeFuture), on: first.eventLoop))
    }

    /// Resets every client connection (see ``reset(acceptedOn:)``).
    @discardableResult
    public func resetAll() -> (count: Int, closed: EventLoopFuture<Void>?) {
        reset(channels)
    }

    /// The client connections open now that were accepted on one of `addresses`: how many, and a
    /// future that completes when all of them are closed (nil when none).
    public func open(acceptedOn addresses: Set<IPAddress>) -> (count: Int, closed: EventLoopFuture<Void>?) {
        let matching = channels.filter { Self.isAccepted($0, on: addresses) }
        guard let first = matching.first else { return (0, nil) }
        return (matching.count, EventLoopFuture.andAllComplete(matching.map(\.closeFuture), on: first.eventLoop))
    }

    private static func isAccepted(_ channel: Channel, on addresses: Set<IPAddress>) -> Bool {
        guard let local = channel.localAddress?.ipAddress.flatMap(IPAddress.init) else { return false }
        return addresses.contains(local)
    }

    /// Resets (TCP RST, through SO_LINGER 0) every client connection accepted on one of
    /// `addresses`, so clients learn at once that a virtual address left this node instead of
    /// waiting on a connection whose packets now reach another host. Returns how many were reset
    /// and a future that completes when all of them are closed (nil when none).
    @discardableResult
    public func reset(acceptedOn addresses: Set<IPAddress>) -> (count: Int, closed: EventLoopFuture<Void>?) {
        reset(channels.filter { Self.isAccepted($0, on: addresses) })
    }

    private func reset(_ channels: [Channel]) -> (count: Int, closed: EventLoopFuture<Void>?) {
        for channel in channels {
            guard let socket = channel as? any SocketOptionProvider else {
                channel.close(promise: nil)
                continue
            }
            socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        }
        guard let first = channels.first else { return (0, nil) }
        return (channels.count, EventLoopFuture.andAllComplete(channels.map(\.closeFuture), on: first.eventLoop))
    }
}
