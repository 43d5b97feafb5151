#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore

/// The TCP-mode connections whose two channels are glued now, so that a stopping vipd can hand
/// them, open, to another process (``detach(within:)``).
public final class GluedConnections: Sendable {
    private struct Entry {
        var client: Channel
        var server: Channel
        var halves: NIOLoopBound<(client: GlueHandler, server: GlueHandler, record: ConnectionRecord)>
        var idleTimeout: Duration
    }

    private let entries = NIOLockedValueBox<[ObjectIdentifier: Entry]>([:])

    public init() {}

    /// Glued connections now.
    public var count: Int { entries.withLockedValue { $0.count } }

    /// Tracks a pair until either channel closes; call on the client channel's event loop.
    func add(client: Channel, server: Channel, halves: (client: GlueHandler, server: GlueHandler), record: ConnectionRecord, idleTimeout: Duration) {
        let id = ObjectIdentifier(client)
        let entry = Entry(
            client: client, server: server,
            halves: NIOLoopBound((halves.client, halves.server, record), eventLoop: client.eventLoop), idleTimeout: idleTimeout)
        entries.withLockedValue { $0[id] = entry }
        client.closeFuture.whenComplete { [entries] _ in _ = entries.withLockedValue { $0.removeValue(forKey: id) } }
    }

    /// Stops reading on every glued connection, waits until what each already read reached the
    /// other side's kernel buffer (at most `limit`), then duplicates both sockets, closes the
    /// channels (their log line says `end=handed-over`) and returns the duplicates. A connection that
    /// closes meanwhile, or does not settle in time, is not returned (it is closed as usual).
    public func detach(within limit: Duration) async -> [MovedConnection] {
        let all = entries.withLockedValue { Array($0.values) }
        guard !all.isEmpty else { return [] }
        let descriptors = OpenSocketDescriptors.scan()
        let deadline = NIODeadline.now() + TimeAmount(limit)
        var moved: [MovedConnection] = []
        for entry in all {
            if let connection = try? await Self.detach(entry, descriptors: descriptors, deadline: deadline).get() {
                moved.append(connection)
            }
        }
        return moved
    }

    private static func detach(_ entry: Entry, descriptors: OpenSocketDescriptors, deadline: NIODeadline) -> EventLoopFuture<MovedConnection?> {
        let loop = entry.client.eventLoop
        return loop.flatSubmit {
            let (client, server, _) = entry.halves.value
            client.pause()
            server.pause()
            return settle(entry, descriptors: descriptors, deadline: deadline)
        }
    }

    /// Flushes both channels until no write was added meanwhile, then takes the sockets.
    private static func settle(_ entry: Entry, descriptors: OpenSocketDescriptors, deadline: NIODeadline) -> EventLoopFuture<MovedConnection?> {
        let loop = entry.client.eventLoop
        let (client, server, _) = entry.halves.value
        let before = (client.writesSincePause, server.writesSincePause)
        guard let flushedClient = client.writesFlushed(), let flushedServer = server.writesFlushed() else {
            return loop.makeSucceededFuture(nil)
        }
        return flushedClient.and(flushedServer).flatMap { _ in
            let (client, server, record) = entry.halves.value
            guard entry.client.isActive, entry.server.isActive else { return loop.makeSucceededFuture(nil) }
            if (client.writesSincePause, server.writesSincePause) != before {
                guard NIODeadline.now() < deadline else { return loop.makeSucceededFuture(nil) }
                return settle(entry, descriptors: descriptors, deadline: deadline)
            }
            return loop.makeSucceededFuture(take(entry, record: record, descriptors: descriptors))
        }.flatMapErrorWithEventLoop { _, loop in loop.makeSucceededFuture(nil) }
    }

    /// On the event loop, with nothing in flight: duplicates both sockets and closes the channels.
    private static func take(_ entry: Entry, record: ConnectionRecord, descriptors: OpenSocketDescriptors) -> MovedConnection? {
        guard let clientEnds = OpenSocketDescriptors.ends(of: entry.client), let serverEnds = OpenSocketDescriptors.ends(of: entry.server),
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
            idleTimeoutMilliseconds: Int64(entry.idleTimeout / .milliseconds(1)))
        entry.client.close(promise: nil)
        entry.server.close(promise: nil)
        return MovedConnection(clientDescriptor: clientCopy, serverDescriptor: serverCopy, details: details)
    }
}
