import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import VipdConfig
import VipdCore

/// The stats listener: HTTP/1.1 (keep-alive, one request at a time per connection) serving the page,
/// `/stats.json`, `/stats.csv` and `/metrics`, each request answered from a fresh snapshot.
public final class StatsServer: Sendable {
    private let channel: Channel
    /// The basic authentication credentials asked of every request; nil for none.
    private let credentials: NIOLockedValueBox<StatsCredentials?>

    /// Connections idle this long are closed.
    static let idleTimeout = TimeAmount.seconds(60)

    /// Binds `endpoint` (SO_REUSEADDR; port 0 lets the kernel choose) and serves on `group`;
    /// `snapshot` is asked once per page, JSON or metrics request.
    public static func start(
        endpoint: SocketEndpoint, credentials: StatsCredentials?,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton, logger: Logger = Logger(label: "vipd.stats"),
        snapshot: @escaping @Sendable () async -> StatsSnapshot
    ) async throws -> StatsServer {
        let address = try SocketAddress(ipAddress: endpoint.address.text, port: endpoint.port)
        let credentials = NIOLockedValueBox(credentials)
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandlers([
                        IdleStateHandler(allTimeout: idleTimeout),
                        StatsRequestHandler(credentials: credentials, logger: logger, snapshot: snapshot),
                    ])
                }
            }
            .bind(to: address).get()
        return StatsServer(channel: channel, credentials: credentials)
    }

    private init(channel: Channel, credentials: NIOLockedValueBox<StatsCredentials?>) {
        self.channel = channel
        self.credentials = credentials
    }

    /// Asks `credentials` of every request from now on, also on connections already open (a reload).
    public func setCredentials(_ credentials: StatsCredentials?) {
        self.credentials.withLockedValue { $0 = credentials }
    }

    /// The bound port (the kernel's choice when 0 was asked).
    public var port: Int { channel.localAddress?.port ?? 0 }

    /// Stops listening; requests in progress finish.
    public func close() async {
        try? await channel.close()
    }
}

/// One connection's requests: route, take a snapshot when needed, write the response.
private final class StatsRequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let credentials: NIOLockedValueBox<StatsCredentials?>
    private let logger: Logger
    private let snapshot: @Sendable () async -> StatsSnapshot
    private var head: HTTPRequestHead?

    init(credentials: NIOLockedValueBox<StatsCredentials?>, logger: Logger, snapshot: @escaping @Sendable () async -> StatsSnapshot) {
        self.credentials = credentials
        self.logger = logger
        self.snapshot = snapshot
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let route = StatsRequestRouter.route(
            method: head.method.rawValue, uri: head.uri, authorization: head.headers.first(name: "authorization"),
            credentials: credentials.withLockedValue { $0 })
        switch route {
        case .failure(let rejection):
            write(rejection.response, to: head, context: context)
        case .success(let resource):
            let snapshot = snapshot
            let promise = context.eventLoop.makePromise(of: StatsResponse.self)
            promise.completeWithTask { resource.response(for: await snapshot()) }
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                let (handler, context) = loopBound.value
                handler.write(response, to: head, context: context)
            }
        }
    }

    private func write(_ response: StatsResponse, to request: HTTPRequestHead, context: ChannelHandlerContext) {
        var body = context.channel.allocator.buffer(capacity: response.body.utf8.count)
        body.writeString(response.body)
        var headers = HTTPHeaders([("Content-Type", response.contentType), ("Content-Length", "\(body.readableBytes)")])
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) { headers.add(name: name, value: value) }
        let keepAlive = request.isKeepAlive
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        if request.method != .HEAD {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if response.status >= 400 {
            logger.debug("stats: \(request.method) \(request.uri) -> \(response.status)")
        }
        if !keepAlive {
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
