import Logging
import NIOCore
import NIOPosix
import VipdConfig
import VipdHealth

/// Connects an HTTP-mode request to a server of its pool: picks with the balancer, and when a
/// connect fails, tries the next server (up to `retries` more) before giving up.
struct ServerConnector {
    /// The connection could not be given any server.
    struct Failure: Error {
        let end: ConnectionEnd
        let detail: String
    }

    /// A server connection for a client connection (or one HTTP request).
    struct Connected {
        let channel: Channel
        let pick: PoolRuntime.Pick
        /// The handler serving the next request when `channel` is a parked HTTP connection taken from
        /// the pool's idle set; nil for a new connection.
        let parkedHandler: NIOLoopBound<HTTPBackendHandler>?
    }

    /// A server connection for a request: a parked one, at hand at once, or a new one being opened.
    enum Attempt {
        case parked(Connected)
        case opening(EventLoopFuture<Connected>)

        /// The connection as a future on `eventLoop`.
        func future(on eventLoop: any EventLoop) -> EventLoopFuture<Connected> {
            switch self {
            case .parked(let connected): eventLoop.makeSucceededFuture(connected)
            case .opening(let future): future
            }
        }
    }

    let pool: PoolRuntime
    let connectTimeout: Duration
    let retries: Int
    let logger: Logger

    /// Connects on `eventLoop` (the client channel's loop, so both channels share it); with
    /// `reusingIdle`, a parked connection to the picked server on that loop is taken instead when
    /// there is one (`held`, the client's own, first), and handed over without waiting. A new
    /// channel does not read until the caller enables `autoRead`.
    func connect(
        clientKey: [UInt8], record: ConnectionRecord, on eventLoop: any EventLoop, reusingIdle: Bool = false,
        held: IdleServerConnections.Parked? = nil
    ) -> Attempt {
        attempt(
            clientKey: clientKey, record: NIOLoopBound(record, eventLoop: eventLoop), reusingIdle: reusingIdle, held: held,
            tried: [], failures: [], on: eventLoop)
    }

    private func attempt(
        clientKey: [UInt8], record: NIOLoopBound<ConnectionRecord>, reusingIdle: Bool, held: IdleServerConnections.Parked?,
        tried: Set<Int>, failures: [String], on eventLoop: any EventLoop
    ) -> Attempt {
        guard let pick = pool.pick(clientKey: clientKey, excluding: tried) else {
            let failure =
                failures.isEmpty
                ? Failure(end: .noServer, detail: "pool \(pool.config.name) has no server available")
                : Failure(end: .connectFailed, detail: failures.joined(separator: "; "))
            return .opening(eventLoop.makeFailedFuture(failure))
        }
        record.value.server = pick.server.name
        if reusingIdle, let parked = pool.idleConnections.take(server: pick.index, on: eventLoop, preferring: held) {
            if !tried.isEmpty { pick.traffic.redispatched() }
            return .parked(Connected(channel: parked.channel, pick: pick, parkedHandler: parked.handler))
        }
        // A transparent pool's connection leaves from the client's address, to the server's node in the client's family.
        let source = pool.config.transparent ? TransparentSource(client: record.value.client) : nil
        let nodeEndpoint = source.flatMap { pick.server.endpoint(for: $0.family) }
        let endpoint = nodeEndpoint ?? pick.server.endpoint
        let address: SocketAddress
        do {
            address = try nodeEndpoint.map { try SocketAddress(ipAddress: $0.address.text, port: $0.port) } ?? pick.address.get()
        } catch {
            pool.release(pick.index)
            return .opening(eventLoop.makeFailedFuture(Failure(end: .connectFailed, detail: "\(error)")))
        }
        // TCP_NODELAY is ClientBootstrap's own default; the other options are set in the initializer,
        // synchronously: each option given to the bootstrap is applied through a future of its own.
        var bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(connectTimeout))
            .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.setProxiedConnectionOptions() } }
        if let source, source.family == endpoint.address.family { bootstrap = source.configure(bootstrap) }
        let connected = eventLoop.makePromise(of: Connected.self)
        bootstrap.connect(to: address).whenComplete { result in
            switch result {
            case .success(let channel):
                if !tried.isEmpty { pick.traffic.redispatched() }
                connected.succeed(Connected(channel: channel, pick: pick, parkedHandler: nil))
            case .failure(let error):
                pool.release(pick.index)
                pick.traffic.connectFailed()
                let failure = "connect to \(pool.config.name)/\(pick.server.name) (\(endpoint)) failed: \(describeConnectError(error, timeout: connectTimeout))"
                let tried = tried.union([pick.index])
                guard tried.count <= retries else {
                    connected.fail(Failure(end: .connectFailed, detail: (failures + [failure]).joined(separator: "; ")))
                    return
                }
                logger.warning(
                    "\(failure); trying the next server",
                    metadata: ["listener": "\(record.value.listener)", "pool": "\(pool.config.name)", "server": "\(pick.server.name)"])
                record.value.retries += 1
                pick.traffic.retried()
                attempt(
                    clientKey: clientKey, record: record, reusingIdle: reusingIdle, held: nil, tried: tried,
                    failures: failures + [failure], on: eventLoop
                ).future(on: eventLoop).cascade(to: connected)
            }
        }
        return .opening(connected.futureResult)
    }
}
