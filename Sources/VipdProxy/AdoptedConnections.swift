import Logging
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Serves connections handed over by a stopping vipd (``MovedConnection``): each pair of sockets
/// is relayed as the proxy relays its own, with the listener's idle timeout, and logs its
/// connection line when it ends.
public final class AdoptedConnections: Sendable {
    /// Every adopted connection, for counting, waiting and the final reset.
    public let tracker: ConnectionTracker
    private let logger: Logger

    public init(group: any EventLoopGroup, logger: Logger) {
        self.tracker = ConnectionTracker(eventLoop: group.next())
        self.logger = logger
    }

    /// Takes `connection`'s sockets (closed on failure) and serves them until both ends close.
    public func adopt(_ connection: MovedConnection) async throws {
        let loop = RelayLoops.shared.next()
        let details = connection.details
        let context = RelayConnection.Context(route: nil, tracker: tracker, gate: nil, logger: logger)
        let client = RawSocketAddress.end(of: connection.clientDescriptor, .peer).flatMap(RawSocketAddress.socketAddress(of:))
        let adopted = await loop.submit {
            let record = ConnectionRecord(
                client: client, listener: details.listener, pool: details.pool,
                acceptedAt: loop.now - .milliseconds(details.ageMilliseconds))
            record.server = details.server
            record.connectedAt = record.acceptedAt
            record.bytesFromClient = details.bytesFromClient
            record.bytesFromServer = details.bytesFromServer
            return RelayConnection.adopted(
                clientFD: connection.clientDescriptor, serverFD: connection.serverDescriptor, record: record,
                idleTimeout: .milliseconds(details.idleTimeoutMilliseconds), on: loop, context: context)
        }
        guard adopted else { throw IOError(errnoCode: EBADF, reason: "epoll_ctl") }
    }

    /// How many connections are open, and a future that completes once every one of them has
    /// ended, both sides closed and its line logged (nil when none).
    public func ended() -> (count: Int, ended: EventLoopFuture<Void>?) {
        let (count, closed) = tracker.open()
        return (count, closed)
    }
}
