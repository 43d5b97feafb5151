import Logging
import NIOCore
import NIOPosix
import VipdConfig
import VipdHealth

/// Connects a client's connection to a server of its pool: picks with the balancer, and when a
/// connect fails, tries the next server (up to `retries` more) before giving up.
struct ServerConnector {
    /// The connection could not be given any server.
    struct Failure: Error {
        let end: ConnectionEnd
        let detail: String
    }

    let pool: PoolRuntime
    let connectTimeout: Duration
    let retries: Int
    let logger: Logger

    /// Connects on `eventLoop` (the client channel's loop, so both channels share it).
    /// The returned channel does not read until the caller enables `autoRead`.
    func connect(clientKey: [UInt8], record: ConnectionRecord, on eventLoop: any EventLoop)
        -> EventLoopFuture<(Channel, PoolRuntime.Pick)>
    {
        attempt(clientKey: clientKey, record: NIOLoopBound(record, eventLoop: eventLoop), tried: [], failures: [], on: eventLoop)
    }

    private func attempt(
        clientKey: [UInt8], record: NIOLoopBound<ConnectionRecord>, tried: Set<Int>, failures: [String], on eventLoop: any EventLoop
    ) -> EventLoopFuture<(Channel, PoolRuntime.Pick)> {
        guard let pick = pool.pick(clientKey: clientKey, excluding: tried) else {
            let failure =
                failures.isEmpty
                ? Failure(end: .noServer, detail: "pool \(pool.config.name) has no server available")
                : Failure(end: .connectFailed, detail: failures.joined(separator: "; "))
            return eventLoop.makeFailedFuture(failure)
        }
        record.value.server = pick.server.name
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: pick.server.endpoint.address.text, port: pick.server.endpoint.port)
        } catch {
            pool.release(pick.index)
            return eventLoop.makeFailedFuture(Failure(end: .connectFailed, detail: "\(error)"))
        }
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout.timeAmount)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelOption(.autoRead, value: false)
            .channelOption(.socketOption(.so_keepalive), value: 1)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(to: address)
            .map { ($0, pick) }
            .flatMapError { error in
                pool.release(pick.index)
                let failure = "connect to \(pool.config.name)/\(pick.server.name) (\(pick.server.endpoint)) failed: \(describeConnectError(error, timeout: connectTimeout))"
                let tried = tried.union([pick.index])
                guard tried.count <= retries else {
                    return eventLoop.makeFailedFuture(Failure(end: .connectFailed, detail: (failures + [failure]).joined(separator: "; ")))
                }
                logger.warning(
                    "\(failure); trying the next server",
                    metadata: ["listener": "\(record.value.listener)", "pool": "\(pool.config.name)", "server": "\(pick.server.name)"])
                record.value.retries += 1
                return attempt(clientKey: clientKey, record: record, tried: tried, failures: failures + [failure], on: eventLoop)
            }
    }
}
