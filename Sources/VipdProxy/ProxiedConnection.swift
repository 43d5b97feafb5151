import Logging
import NIOCore
import VipdConfig

/// Sits in each accepted client channel: once the channel is active it connects to a server of the
/// pool, glues both channels together, and logs the connection line when both sides are closed.
/// (Connecting from the channel initializer would race the channel's registration.) Inbound only:
/// an outbound handler here would be passed every write, flush and read of the glued connection.
final class ProxiedConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let route: ListenerRoute
    private let tracker: ConnectionTracker
    private let logger: Logger
    private var record: ConnectionRecord?

    init(route: ListenerRoute, tracker: ConnectionTracker, logger: Logger) {
        self.route = route
        self.tracker = tracker
        self.logger = logger
    }

    /// Installs this handler in a freshly accepted client channel, with autoRead off (nothing is read
    /// before the server connection is up), remote half-closure allowed, and TCP keepalive on, so
    /// a client gone without a word (a long idle ssh session) is noticed; the idle timeout joins
    /// once the channel is active.
    static func install(in client: Channel, route: ListenerRoute, tracker: ConnectionTracker, logger: Logger) -> EventLoopFuture<Void> {
        tracker.track(client)
        return client.eventLoop.makeCompletedFuture {
            try client.setProxiedConnectionOptions()
            let connection = ProxiedConnection(route: route, tracker: tracker, logger: logger)
            // Handlers are named here: NIO formats a name ("handler0", ...) for each one added without.
            try client.pipeline.syncOperations.addHandler(connection, name: "proxied-connection")
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        let client = context.channel
        let record = ConnectionRecord(
            client: client.remoteAddress, listener: route.config.name, pool: route.pool.config.name, acceptedAt: .now())
        self.record = record
        let idleTimeout = IdleTimeoutCloser.start(
            for: client, record: record, timeout: route.config.idleTimeout, sweeps: tracker.idleSweeps)
        let connector = ServerConnector(
            pool: route.pool, connectTimeout: route.config.connectTimeout, retries: route.config.retries, logger: logger)
        // Only source balancing reads the key: the address is not formatted as text for the others.
        let clientKey = route.pool.config.balance == .source ? Array((client.remoteAddress?.ipAddress ?? "").utf8) : []
        let loopBound = NIOLoopBound((self, record, idleTimeout), eventLoop: context.eventLoop)
        connector.connect(clientKey: clientKey, record: record, on: context.eventLoop).future(on: context.eventLoop).whenComplete { result in
            let (connection, record, idleTimeout) = loopBound.value
            switch result {
            case .success(let connected):
                connection.glue(client: client, server: connected.channel, pick: connected.pick, record: record, idleTimeout: idleTimeout)
            case .failure(let error):
                connection.refuse(client: client, error: error, record: record)
            }
        }
        context.fireChannelActive()
    }

    private func glue(client: Channel, server: Channel, pick: PoolRuntime.Pick, record: ConnectionRecord, idleTimeout: IdleTimeoutCloser) {
        record.connectedAt = .now()
        let pool = route.pool
        let traffic = pick.traffic
        traffic.connectionOpened()
        record.traffic = traffic
        let logger = logger
        let loopBound = NIOLoopBound(record, eventLoop: client.eventLoop)
        client.closeFuture.and(server.closeFuture).whenComplete { _ in
            pool.release(pick.index)
            traffic.ended()
            Self.logLine(of: loopBound.value, to: logger)
        }
        guard client.isActive else {
            server.close(promise: nil)
            return
        }
        let glue = GlueHandler.matchedPair(record: record, idleTimeout: idleTimeout)
        do {
            // First in the pipeline: reads stop at the glue instead of passing this handler too.
            try client.pipeline.syncOperations.addHandler(glue.client, name: "glue", position: .first)
            try server.pipeline.syncOperations.addHandler(glue.server, name: "glue")
            tracker.glued.add(glue.client, on: client.eventLoop)
        } catch {
            client.close(promise: nil)
            server.close(promise: nil)
            return
        }
        try? client.syncOptions?.setOption(.autoRead, value: true)
        try? server.syncOptions?.setOption(.autoRead, value: true)
    }

    private func refuse(client: Channel, error: any Error, record: ConnectionRecord) {
        let failure = error as? ServerConnector.Failure
        record.noteEnd(failure?.end ?? .connectFailed)
        if failure?.end == .noServer { route.traffic.refusedForNoServer() }
        let who = client.remoteAddress.map(ConnectionRecord.describe) ?? "unknown"
        logger.warning(
            "\(who) \(route.config.name): \(failure?.detail ?? "\(error)"); closing the client connection",
            metadata: record.metadata)
        let logger = logger
        let loopBound = NIOLoopBound(record, eventLoop: client.eventLoop)
        client.close(promise: nil)
        client.closeFuture.whenComplete { _ in
            Self.logLine(of: loopBound.value, to: logger)
        }
    }

    /// Logs the connection line at info, formatting it only when info is logged.
    private static func logLine(of record: ConnectionRecord, to logger: Logger) {
        guard logger.logLevel <= .info, let line = record.takeLogLine(now: .now()) else { return }
        logger.info("\(line)", metadata: record.metadata)
    }
}
