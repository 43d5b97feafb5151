#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// The TCP-mode connections whose two channels are glued now, so that a stopping vipd can hand
/// them, open, to another process (``detach(within:)``). Each event loop's pairs are kept apart, in
/// an array only that loop touches: a pair costs one slot of it.
public final class GluedConnections: Sendable {
    /// The client halves of one event loop's glued pairs; confined to that loop.
    private final class LoopPairs {
        var clients = SlotList<GlueHandler>()
    }

    private let loops = NIOLockedValueBox<[ObjectIdentifier: NIOLoopBound<LoopPairs>]>([:])
    private let total = Atomic<Int>(0)

    public init() {}

    /// Glued connections now.
    public var count: Int { total.load(ordering: .relaxed) }

    private func pairs(on eventLoop: any EventLoop) -> LoopPairs {
        loops.withLockedValue { loops in
            if let existing = loops[ObjectIdentifier(eventLoop)] { return existing.value }
            let created = LoopPairs()
            loops[ObjectIdentifier(eventLoop)] = NIOLoopBound(created, eventLoop: eventLoop)
            return created
        }
    }

    /// Tracks the pair of `client` (its client half, in a channel now) until the client channel
    /// closes; call on the channel's event loop.
    func add(_ client: GlueHandler, on eventLoop: any EventLoop) {
        client.glued = self
        pairs(on: eventLoop).clients.add(client)
        total.add(1, ordering: .relaxed)
    }

    /// Stops tracking the pair of `client` (nothing when it is not tracked); call on its event loop.
    func remove(_ client: GlueHandler, on eventLoop: any EventLoop) {
        guard client.slotListIndex >= 0, pairs(on: eventLoop).clients.remove(client) else { return }
        total.subtract(1, ordering: .relaxed)
    }

    /// Stops reading on every glued connection, waits until what each already read reached the
    /// other side's kernel buffer (at most `limit`), then duplicates both sockets, closes the
    /// channels (their log line says `end=handed-over`) and returns the duplicates. A connection that
    /// closes meanwhile, or does not settle in time, is not returned (it is closed as usual).
    public func detach(within limit: Duration) async -> [MovedConnection] {
        let all = loops.withLockedValue { Array($0.values) }
        guard count > 0 else { return [] }
        let descriptors = OpenSocketDescriptors.scan()
        let deadline = NIODeadline.now() + TimeAmount(limit)
        var moved: [MovedConnection] = []
        for pairs in all {
            let loop = pairs.eventLoop
            let detached = loop.flatSubmit {
                let clients = pairs.value.clients.members
                for client in clients {
                    client.pause()
                    client.partnerHalf?.pause()
                }
                let settled = clients.map { Self.settle($0, on: loop, descriptors: descriptors, deadline: deadline) }
                return EventLoopFuture.whenAllSucceed(settled, on: loop).map { $0.compactMap { $0 } }
            }
            moved += (try? await detached.get()) ?? []
        }
        return moved
    }

    /// Flushes both channels of `client`'s pair until no read was forwarded meanwhile, then takes the sockets.
    private static func settle(
        _ client: GlueHandler, on loop: any EventLoop, descriptors: OpenSocketDescriptors, deadline: NIODeadline
    ) -> EventLoopFuture<MovedConnection?> {
        guard let server = client.partnerHalf, let flushedClient = client.writesFlushed(), let flushedServer = server.writesFlushed()
        else { return loop.makeSucceededFuture(nil) }
        let before = (client.forwardsSincePause, server.forwardsSincePause)
        let halves = NIOLoopBound((client, server), eventLoop: loop)
        return flushedClient.and(flushedServer).flatMap { _ in
            let (client, server) = halves.value
            guard let clientChannel = client.channel, let serverChannel = server.channel, clientChannel.isActive, serverChannel.isActive
            else { return loop.makeSucceededFuture(nil) }
            if (client.forwardsSincePause, server.forwardsSincePause) != before {
                guard NIODeadline.now() < deadline else { return loop.makeSucceededFuture(nil) }
                return settle(client, on: loop, descriptors: descriptors, deadline: deadline)
            }
            return loop.makeSucceededFuture(
                take(
                    client: clientChannel, server: serverChannel, record: client.record,
                    idleTimeout: client.idleTimeout?.timeout ?? .zero, descriptors: descriptors))
        }.flatMapErrorWithEventLoop { _, loop in loop.makeSucceededFuture(nil) }
    }

    /// On the event loop, with nothing in flight: duplicates both sockets and closes the channels.
    private static func take(
        client: Channel, server: Channel, record: ConnectionRecord, idleTimeout: Duration, descriptors: OpenSocketDescriptors
    ) -> MovedConnection? {
        guard let clientEnds = OpenSocketDescriptors.ends(of: client), let serverEnds = OpenSocketDescriptors.ends(of: server),
            let clientFD = descriptors.byEnds[clientEnds], let serverFD = descriptors.byEnds[serverEnds],
            // The numbers were read earlier: check that they still name these sockets.
            OpenSocketDescriptors.ends(of: clientFD) == clientEnds, OpenSocketDescriptors.ends(of: serverFD) == serverEnds
        else { return nil }
        let clientCopy = dup(clientFD)
        let serverCopy = dup(serverFD)
        guard clientCopy >= 0, serverCopy >= 0 else {
            if clientCopy >= 0 { close(clientCopy) }
            if serverCopy >= 0 { close(serverCopy) }
            return nil
        }
        record.noteEnd(.handedOver)
        let details = MovedConnection.Details(
            client: record.client.map(ConnectionRecord.describe) ?? "unknown", listener: record.listener, pool: record.pool,
            server: record.server ?? "unknown", ageMilliseconds: (NIODeadline.now() - record.acceptedAt).nanoseconds / 1_000_000,
            bytesFromClient: record.bytesFromClient, bytesFromServer: record.bytesFromServer,
            idleTimeoutMilliseconds: Int64(idleTimeout / .milliseconds(1)))
        client.close(promise: nil)
        server.close(promise: nil)
        return MovedConnection(clientDescriptor: clientCopy, serverDescriptor: serverCopy, details: details)
    }
}
