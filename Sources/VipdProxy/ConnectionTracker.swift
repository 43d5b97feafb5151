import NIOConcurrencyHelpers
import NIOCore
import VipdConfig
#if canImport(Glibc)
import Glibc
#endif

/// Every open client channel of the process, so that shutdown can wait for them to finish and
/// close the rest when the drain time is over.
public final class ConnectionTracker: Sendable {
    private let channels = NIOLockedValueBox<[ObjectIdentifier: Channel]>([:])
    /// What each server carried, for the stats page and metrics.
    public let traffic = TrafficCounters()

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

    /// Resets (TCP RST, through SO_LINGER 0) every client connection accepted on one of
    /// `addresses`, so clients learn at once that a virtual address left this node instead of
    /// waiting on a connection whose packets now reach another host. Returns how many were reset
    /// and a future that completes when all of them are closed (nil when none).
    @discardableResult
    public func reset(acceptedOn addresses: Set<IPAddress>) -> (count: Int, closed: EventLoopFuture<Void>?) {
        let open = channels.withLockedValue { Array($0.values) }
        var reset: [Channel] = []
        for channel in open {
            guard let local = channel.localAddress?.ipAddress.flatMap(IPAddress.init), addresses.contains(local) else {
                continue
            }
            reset.append(channel)
            guard let socket = channel as? any SocketOptionProvider else {
                channel.close(promise: nil)
                continue
            }
            socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
        }
        guard let first = reset.first else { return (0, nil) }
        return (reset.count, EventLoopFuture.andAllComplete(reset.map(\.closeFuture), on: first.eventLoop))
    }
}
