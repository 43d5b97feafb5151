import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VipdConfig

/// One bound listening socket of the proxy.
public final class ProxyListener: Sendable {
    public let endpoint: SocketEndpoint
    private let route: NIOLockedValueBox<ListenerRoute>
    private let channel: Channel

    private init(endpoint: SocketEndpoint, route: NIOLockedValueBox<ListenerRoute>, channel: Channel) {
        self.endpoint = endpoint
        self.route = route
        self.channel = channel
    }

    /// The settings and pool used for connections accepted from now on.
    public var currentRoute: ListenerRoute {
        get { route.withLockedValue { $0 } }
        set { route.withLockedValue { $0 = newValue } }
    }

    /// The port actually bound (differs from the configured one only when that was 0).
    public var boundPort: Int? { channel.localAddress?.port }

    /// Binds `route.config.bind` with IP_FREEBIND / IPV6_FREEBIND and SO_REUSEADDR.
    public static func bind(
        route: ListenerRoute, group: any EventLoopGroup, tracker: ConnectionTracker, logger: Logger
    ) -> EventLoopFuture<ProxyListener> {
        let box = NIOLockedValueBox(route)
        let endpoint = route.config.bind
        let maxConnections = route.config.maxConnections
        let address: SocketAddress
        do {
            address = try SocketAddress(ipAddress: endpoint.address.text, port: endpoint.port)
        } catch {
            return group.next().makeFailedFuture(error)
        }
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(FreeBind.option(for: endpoint), value: 1)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ConnectionLimiter(maxConnections: maxConnections, logger: logger))
                }
            }
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.so_keepalive), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { client in
                ProxiedConnection.install(in: client, route: box.withLockedValue { $0 }, tracker: tracker, logger: logger)
            }
            .bind(to: address)
            .map { ProxyListener(endpoint: endpoint, route: box, channel: $0) }
    }

    /// Stops accepting; established connections are not affected.
    public func close() -> EventLoopFuture<Void> {
        channel.close()
    }
}
