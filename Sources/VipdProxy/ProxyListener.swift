import Logging
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VipdCore

/// One listener of the proxy: a listening socket per event loop on the same address
/// (SO_REUSEPORT), so the kernel spreads new connections over the loops and each connection is
/// served, from accept to close, on the loop that accepted it (no hand-off between threads).
/// Each connection gets the pipeline of the listener's mode at accept time: byte glue (`tcp`) or
/// the HTTP proxy (`http`).
public final class ProxyListener: Sendable {
    public let endpoint: SocketEndpoint
    private let route: NIOLockedValueBox<ListenerRoute>
    private let sockets: [Channel]

    private init(endpoint: SocketEndpoint, route: NIOLockedValueBox<ListenerRoute>, sockets: [Channel]) {
        self.endpoint = endpoint
        self.route = route
        self.sockets = sockets
    }

    /// The settings and pool used for connections accepted from now on.
    public var currentRoute: ListenerRoute {
        get { route.withLockedValue { $0 } }
        set { route.withLockedValue { $0 = newValue } }
    }

    /// Binds `route.config.bind` on every loop of `group`, with IP_FREEBIND / IPV6_FREEBIND,
    /// SO_REUSEADDR and SO_REUSEPORT. Either every socket binds or none stays open.
    public static func bind(
        route: ListenerRoute, group: any EventLoopGroup, tracker: ConnectionTracker, logger: Logger
    ) -> EventLoopFuture<ProxyListener> {
        let box = NIOLockedValueBox(route)
        let endpoint = route.config.bind
        let gate = AcceptGate(maxConnections: route.config.maxConnections, logger: logger)
        let firstLoop = group.next()
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: endpoint.address.text, port: endpoint.port)
        } catch {
            return firstLoop.makeFailedFuture(error)
        }
        let binds = group.makeIterator().map { loop in
            ServerBootstrap(group: loop, childGroup: loop)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.socketOption(.init(rawValue: SO_REUSEPORT)), value: 1)
                .serverChannelOption(FreeBind.option(for: endpoint), value: 1)
                .serverChannelOption(.maxMessagesPerRead, value: 16)
                .serverChannelInitializer { socket in
                    gate.register(socket)
                    return socket.eventLoop.makeCompletedFuture {
                        try socket.pipeline.syncOperations.addHandler(AcceptGateHandler(gate: gate))
                    }
                }
                // No child channel options: NIO applies those through a chain of futures on every
                // accept. TCP_NODELAY is inherited from the listening socket (NIO sets it there; Linux
                // copies it to accepted sockets), and each mode's `install` sets what it needs directly.
                .childChannelInitializer { client in
                    let route = box.withLockedValue { $0 }
                    route.traffic.accepted()
                    switch route.config.mode {
                    case .tcp: return ProxiedConnection.install(in: client, route: route, tracker: tracker, logger: logger)
                    case .http: return HTTPProxyHandler.install(in: client, route: route, tracker: tracker, logger: logger)
                    }
                }
                .bind(to: address)
        }
        return EventLoopFuture.whenAllComplete(binds, on: firstLoop).flatMapThrowing { results in
            let sockets = results.compactMap { try? $0.get() }
            let failure = results.lazy.compactMap { result -> (any Error)? in
                if case .failure(let error) = result { return error }
                return nil
            }.first
            guard let failure else { return ProxyListener(endpoint: endpoint, route: box, sockets: sockets) }
            for socket in sockets { socket.close(promise: nil) }
            throw failure
        }
    }

    /// Stops accepting; established connections are not affected.
    public func close() -> EventLoopFuture<Void> {
        let loop = sockets[0].eventLoop
        return EventLoopFuture.andAllComplete(sockets.map { $0.close() }, on: loop)
    }
}
