import Logging
#if canImport(Glibc)
import Glibc
#endif
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VipdConfig
import VipdCore

/// One listener of the proxy. Each connection is served, from accept to close, on the loop that
/// accepted it (no hand-off between threads). `mode: tcp` listens on the relay loops
/// (``RelayListener``: one socket that an idle loop accepts from); `mode: http` on NIO's event loops,
/// with a socket per loop on the same address (SO_REUSEPORT), where each connection gets the HTTP proxy.
public final class ProxyListener: Sendable {
    private enum Sockets: Sendable {
        case relay(RelayListener)
        case http([Channel])
    }

    public let endpoint: SocketEndpoint
    /// The mode the sockets serve; a reload to the other mode binds anew.
    public let mode: ListenerMode
    private let route: NIOLockedValueBox<ListenerRoute>
    private let sockets: Sockets

    private init(endpoint: SocketEndpoint, mode: ListenerMode, route: NIOLockedValueBox<ListenerRoute>, sockets: Sockets) {
        self.endpoint = endpoint
        self.mode = mode
        self.route = route
        self.sockets = sockets
    }

    /// The settings and pool used for connections accepted from now on.
    public var currentRoute: ListenerRoute {
        get { route.withLockedValue { $0 } }
        set {
            route.withLockedValue { $0 = newValue }
            if case .relay(let listener) = sockets { listener.use(newValue) }
        }
    }

    /// Binds `route.config.bind`, with IP_FREEBIND / IPV6_FREEBIND, SO_REUSEADDR and SO_REUSEPORT.
    /// Either every socket binds or none stays open.
    public static func bind(
        route: ListenerRoute, group: any EventLoopGroup, tracker: ConnectionTracker, logger: Logger
    ) async throws -> ProxyListener {
        let box = NIOLockedValueBox(route)
        let endpoint = route.config.bind
        let gate = AcceptGate(maxConnections: route.config.maxConnections, logger: logger)
        let sockets: Sockets =
            switch route.config.mode {
            case .tcp: .relay(try await RelayListener.bind(endpoint, route: route, tracker: tracker, gate: gate, logger: logger))
            case .http: .http(try await bindHTTP(endpoint, route: box, group: group, tracker: tracker, gate: gate, logger: logger))
            }
        return ProxyListener(endpoint: endpoint, mode: route.config.mode, route: box, sockets: sockets)
    }

    private static func bindHTTP(
        _ endpoint: SocketEndpoint, route box: NIOLockedValueBox<ListenerRoute>, group: any EventLoopGroup,
        tracker: ConnectionTracker, gate: AcceptGate, logger: Logger
    ) async throws -> [Channel] {
        let address = try SocketAddress(ipAddress: endpoint.address.text, port: endpoint.port)
        let binds = group.makeIterator().map { loop in
            ServerBootstrap(group: loop, childGroup: loop)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.socketOption(.init(rawValue: SO_REUSEPORT)), value: 1)
                .serverChannelOption(FreeBind.option(for: endpoint), value: 1)
                .serverChannelOption(.maxMessagesPerRead, value: 16)
                .serverChannelInitializer { socket in
                    gate.register(AcceptingChannel(channel: socket))
                    return socket.eventLoop.makeCompletedFuture {
                        try socket.pipeline.syncOperations.addHandler(AcceptGateHandler(gate: gate))
                    }
                }
                // No child channel options: NIO applies those through a chain of futures on every
                // accept. TCP_NODELAY is inherited from the listening socket (NIO sets it there; Linux
                // copies it to accepted sockets), and the HTTP proxy's `install` sets what it needs directly.
                .childChannelInitializer { client in
                    let route = box.withLockedValue { $0 }
                    route.traffic.accepted()
                    return HTTPProxyHandler.install(in: client, route: route, tracker: tracker, logger: logger)
                }
                .bind(to: address)
        }
        let results = try await EventLoopFuture.whenAllComplete(binds, on: group.next()).get()
        let sockets = results.compactMap { try? $0.get() }
        let failure = results.lazy.compactMap { result -> (any Error)? in
            if case .failure(let error) = result { return error }
            return nil
        }.first
        guard let failure else { return sockets }
        for socket in sockets { socket.close(promise: nil) }
        throw failure
    }

    /// Stops accepting; established connections are not affected.
    public func close() async {
        switch sockets {
        case .relay(let listener):
            await listener.close()
        case .http(let channels):
            for channel in channels { try? await channel.close() }
        }
    }
}
