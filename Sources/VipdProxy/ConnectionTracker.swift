import NIOConcurrencyHelpers
import NIOCore
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// Every open client channel of the process, so that shutdown can wait for them to finish and
/// close the rest when the drain time is over.
public final class ConnectionTracker: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])
    /// What each server carried, for the stats page and metrics.
    public let traffic = TrafficCounters()
    /// The TCP-mode connections glued now (a stopping vipd hands them on).
    public let glued = GluedConnections()

    public init() {}

    /// Tracks `channel` until it closes.
    func track(_ channel: Channel) {
        let id = ObjectIdentifier(channel)
        channels.withLockedValue { $0[id] = channel }
        channel.closeFuture.whenComplete { [channels] _ in
            _ = channels.withLockedValue { $0.removeValue(forKey: id) }
        }
    }

    /// Client connections open now.
    public var count: Int {
        channels.withLockedValue { $0.count }
    }

    /// Closes every tracked connection; returns how many were open and a future that completes
    /// when all of them are closed (nil when none was open).
    public func closeAll() -> (count: Int, closed: EventLoopFuture<Void>?) {
        let open = channels.withLockedValue { Array($0.values) }
        for channel in open {
            channel.close(promise: nil)
        }
        guard let first = open.first else { return (0, nil) }
        return (open.count, EventLoopFuture.andAllComplete(open.map(\.closeFuture), on: first.eventLoop))
    }

    /// Every client connection open now: how many, and a future that completes when all of them
    /// are closed (nil when none).
    public func open() -> (count: Int, closed: EventLoopFuture<Void>?) {
        let all = channels.withLockedValue { Array($0.values) }
        guard let first = all.first else { return (0, nil) }
        return (all.count, EventLoopFuture.andAllComplete(all.map(\.closeFuture), on: first.eventLoop))
    }

    /// Resets every client connection (see ``reset(acceptedOn:)``).
    @discardableResult
    public func resetAll() -> (count: Int, closed: EventLoopFuture<Void>?) {
        reset(channels.withLockedValue { Array($0.values) })
    }

    /// The client connections open now that were accepted on one of `addresses`: how many, and a
    /// future that completes when all of them are closed (nil when none).
    public func open(acceptedOn addresses: Set<IPAddress>) -> (count: Int, closed: EventLoopFuture<Void>?) {
        let matching = channels.withLockedValue { Array($0.values) }.filter { Self.isAccepted($0, on: addresses) }
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
        reset(channels.withLockedValue { Array($0.values) }.filter { Self.isAccepted($0, on: addresses) })
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
