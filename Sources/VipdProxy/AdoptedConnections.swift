import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Serves connections handed over by a stopping vipd (``MovedConnection``): each pair of sockets
/// becomes two channels glued as the proxy glues them, with the listener's idle timeout, and logs
/// its connection line when it ends.
public final class AdoptedConnections: Sendable {
    /// Every adopted client channel, for counting and for the final reset.
    public let tracker = ConnectionTracker()
    private let group: any EventLoopGroup
    private let logger: Logger
    /// Per adopted connection: completes once both channels closed and its line is logged.
    private let endings = NIOLockedValueBox<[EventLoopFuture<Void>]>([])

    public init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
    }

    /// Takes `connection`'s sockets (closed on failure) and serves them until both ends close.
    public func adopt(_ connection: MovedConnection) async throws {
        let loop = group.next()
        let client: Channel
        let server: Channel
        do {
            client = try await Self.channel(connection.clientDescriptor, on: loop)
        } catch {
            close(connection.serverDescriptor)
            throw error
        }
        do {
            server = try await Self.channel(connection.serverDescriptor, on: loop)
        } catch {
            client.close(promise: nil)
            throw error
        }
        tracker.track(client)
        let details = connection.details
        let logger = logger
        try await loop.submit {
            let record = ConnectionRecord(
                client: client.remoteAddress, listener: details.listener, pool: details.pool,
                acceptedAt: .now() - .milliseconds(details.ageMilliseconds))
            record.server = details.server
            record.connectedAt = record.acceptedAt
            record.bytesFromClient = details.bytesFromClient
            record.bytesFromServer = details.bytesFromServer
            let idle = Duration.milliseconds(details.idleTimeoutMilliseconds)
            let idleTimeout = IdleTimeoutCloser.start(for: client, record: record, timeout: idle, sweeps: self.tracker.idleSweeps)
            let glue = GlueHandler.matchedPair(record: record, idleTimeout: idleTimeout)
            try client.pipeline.syncOperations.addHandler(glue.client)
            try server.pipeline.syncOperations.addHandler(glue.server)
            let loopBound = NIOLoopBound(record, eventLoop: loop)
            let ended = client.closeFuture.and(server.closeFuture).map { _ in
                guard let line = loopBound.value.takeLogLine(now: .now()) else { return }
                logger.info("\(line)", metadata: loopBound.value.metadata)
            }
            self.endings.withLockedValue { $0.append(ended) }
            try client.syncOptions?.setOption(.autoRead, value: true)
            try server.syncOptions?.setOption(.autoRead, value: true)
        }.get()
    }

    /// How many connections were adopted, and a future that completes once every one of them has
    /// ended, both sides closed and its line logged (nil when none).
    public func ended() -> (count: Int, ended: EventLoopFuture<Void>?) {
        let all = endings.withLockedValue { $0 }
        guard let first = all.first else { return (0, nil) }
        return (all.count, EventLoopFuture.andAllComplete(all, on: first.eventLoop))
    }

    private static func channel(_ descriptor: CInt, on loop: any EventLoop) async throws -> Channel {
        try await ClientBootstrap(group: loop)
            .channelOption(.autoRead, value: false)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .withConnectedSocket(descriptor).get()
    }
}
