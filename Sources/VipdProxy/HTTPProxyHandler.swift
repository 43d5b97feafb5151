import Logging
import NIOCore
import NIOHTTP1
import VipdConfig

/// The HTTP side of one client connection (`mode: http`): each request is validated, given its own
/// server through the pool's balancer, forwarded with the configured forwarded headers, and its
/// response streamed back; the client connection is kept alive between requests.
///
/// Server connections are not reused: each request opens one and sends `Connection: close`, so a
/// server connection never carries two clients' requests and a half-read response can never be
/// mistaken for the next one (haproxy's `option http-server-close`).
///
/// Failures are answered by vipd with a small complete response, logged, and the client
/// connection closed: no server up → the sorry page (503 by default); connect failure on every
/// server tried → 502; the server drops the connection before the response head → the request is
/// sent to the next server when its method is idempotent and its body small enough to keep, 502
/// otherwise; no byte from the server for the server timeout → 504. A request head not complete
/// within the request timeout closes the connection (slowloris).
final class HTTPProxyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Opens a server connection for one request (the pool's `ServerConnector` in production).
    typealias Connect = (_ clientKey: [UInt8], _ record: ConnectionRecord, _ eventLoop: any EventLoop) ->
        EventLoopFuture<(Channel, PoolRuntime.Pick)>

    private let route: ListenerRoute
    private let logger: Logger
    private let connect: Connect
    private var settings: HTTPListenerSettings { route.config.http }
    private var context: ChannelHandlerContext?
    private var record: ConnectionRecord?
    private var clientText = "unknown"
    /// The request being served; nil between requests.
    private var exchange: HTTPExchange?
    /// Set once the connection is being closed: nothing more is read or answered.
    private var closing = false
    private var clientInputClosed = false
    private var requestTimer: Scheduled<Void>?
    private var backendNeedsFlush = false

    init(route: ListenerRoute, logger: Logger, connect: @escaping Connect) {
        self.route = route
        self.logger = logger
        self.connect = connect
    }

    /// Installs NIO's HTTP/1.1 server codec (with the listener's header limits and pipelining
    /// assistance), the idle timeout and this handler in a freshly accepted client channel.
    static func install(in client: Channel, route: ListenerRoute, tracker: ConnectionTracker, logger: Logger)
        -> EventLoopFuture<Void>
    {
        tracker.track(client)
        let connector = ServerConnector(
            pool: route.pool, connectTimeout: route.config.connectTimeout, retries: route.config.retries, logger: logger)
        return client.eventLoop.makeCompletedFuture {
            try addHandlers(
                to: client,
                handler: HTTPProxyHandler(route: route, logger: logger) { key, record, loop in
                    connector.connect(clientKey: key, record: record, on: loop)
                },
                settings: route.config.http, idleTimeout: route.config.idleTimeout)
        }
    }

    /// Adds the HTTP server codec, the idle timeout and `handler` to `channel` (on its event loop).
    static func addHandlers(
        to channel: Channel, handler: HTTPProxyHandler, settings: HTTPListenerSettings, idleTimeout: Duration
    ) throws {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = settings.maxHeaderBytes
        limits.maxHeaderListSize = settings.maxHeaderBytes
        limits.maxHeaderFieldCount = settings.maxHeaders
        let operations = channel.pipeline.syncOperations
        try operations.configureHTTPServerPipeline(
            withPipeliningAssistance: true, withErrorHandling: false, withOutboundHeaderValidation: true,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
        try operations.addHandlers([IdleStateHandler(allTimeout: idleTimeout.timeAmount), handler])
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        requestTimer?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        let record = ConnectionRecord(
            client: context.channel.remoteAddress, listener: route.config.name, pool: route.pool.config.name,
            acceptedAt: .now())
        self.record = record
        clientText = context.channel.remoteAddress.map(ConnectionRecord.describe) ?? "unknown"
        try? context.pipeline.syncOperations.addHandler(IdleTimeoutCloser(record: record), position: .before(self))
        startRequestTimer(context: context, first: true)
        try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        requestTimer?.cancel()
        closing = true
        if let exchange {
            self.exchange = nil
            exchange.error = exchange.error ?? "client-closed"
            exchange.backend?.close(promise: nil)
            logAccess(exchange)
        }
        context.fireChannelInactive()
    }

    // MARK: The request

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head): receiveHead(head, context: context)
        case .body(let part): receiveBody(part)
        case .end: receiveEnd()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if backendNeedsFlush, let backend = exchange?.backend {
            backend.flush()
        }
        backendNeedsFlush = false
        context.fireChannelReadComplete()
    }

    private func receiveHead(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        requestTimer?.cancel()
        let forwarded = HTTPRequestHead(
            version: head.version, method: head.method, uri: head.uri,
            headers: HTTPForwardedHeaders.request(
                head.headers, clientAddress: context.channel.remoteAddress?.ipAddress, settings: settings))
        let exchange = HTTPExchange(original: head, forwarded: forwarded, startedAt: .now())
        self.exchange = exchange
        if let rejection = HTTPRequestValidation.check(head, maxBodyBytes: settings.maxBodyBytes) {
            answer(.plain(rejection.status), to: exchange, error: "rejected", detail: rejection.reason)
            return
        }
        connectServer(for: exchange)
    }

    private func receiveBody(_ part: ByteBuffer) {
        guard let exchange else { return }
        if exchange.bytesIn + part.readableBytes > settings.maxBodyBytes {
            let rejection = HTTPRequestValidation.bodyTooLarge(maxBodyBytes: settings.maxBodyBytes)
            exchange.bytesIn += part.readableBytes
            answer(.plain(rejection.status), to: exchange, error: "rejected", detail: rejection.reason)
            return
        }
        exchange.receive(part)
        guard let backend = exchange.backend else { return }
        backend.write(HTTPClientRequestPart.body(.byteBuffer(part)), promise: nil)
        backendNeedsFlush = true
    }

    private func receiveEnd() {
        guard let exchange else { return }
        exchange.requestEnded = true
        if let backend = exchange.backend {
            backend.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
            backendNeedsFlush = false
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            clientInputClosed = true
            if exchange == nil { close(context: context) }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        guard let parserError = error as? HTTPParserError else {
            exchange?.error = "client-error"
            logger.notice("\(clientText) \(route.config.name): \(error); closing", metadata: record?.metadata ?? [:])
            close(context: context)
            return
        }
        let rejection = HTTPRequestValidation.rejection(for: parserError)
        if let exchange, exchange.responseStarted {
            exchange.error = "rejected"
            logger.warning(
                "\(clientText) \(route.config.name): \(rejection.reason) in the middle of the response; closing",
                metadata: record?.metadata ?? [:])
            close(context: context)
            return
        }
        let exchange =
            self.exchange
            ?? HTTPExchange(
                original: HTTPRequestHead(version: .http1_1, method: .RAW(value: "-"), uri: "-"),
                forwarded: HTTPRequestHead(version: .http1_1, method: .RAW(value: "-"), uri: "-"), startedAt: .now())
        self.exchange = exchange
        answer(.plain(rejection.status), to: exchange, error: "rejected", detail: rejection.reason)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        try? exchange?.backend?.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    // MARK: The server

    private func connectServer(for exchange: HTTPExchange) {
        guard let context, let record else { return }
        let retriesBefore = record.retries
        let clientKey = Array((context.channel.remoteAddress?.ipAddress ?? "").utf8)
        let loopBound = NIOLoopBound((self, exchange, record), eventLoop: context.eventLoop)
        let pool = route.pool
        connect(clientKey, record, context.eventLoop).whenComplete { result in
            let (handler, exchange, record) = loopBound.value
            exchange.retries += record.retries - retriesBefore
            switch result {
            case .success(let (backend, pick)):
                backend.closeFuture.whenComplete { _ in pool.release(pick.index) }
                handler.attach(backend, server: pick.server.name, to: exchange)
            case .failure(let error):
                handler.connectFailed(error, for: exchange)
            }
        }
    }

    private func connectFailed(_ error: any Error, for exchange: HTTPExchange) {
        guard self.exchange === exchange, !closing else { return }
        let failure = error as? ServerConnector.Failure
        if failure?.end == .noServer {
            answer(.sorry(settings.sorryPage), to: exchange, error: "no-server", detail: failure?.detail ?? "\(error)")
        } else {
            answer(.plain(.badGateway), to: exchange, error: "connect-failed", detail: failure?.detail ?? "\(error)")
        }
    }

    private func attach(_ backend: Channel, server: String, to exchange: HTTPExchange) {
        guard self.exchange === exchange, !closing, let context else {
            backend.close(promise: nil)
            return
        }
        exchange.backend = backend
        exchange.server = server
        exchange.connectedAt = .now()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        do {
            let operations = backend.pipeline.syncOperations
            try operations.addHTTPClientHandlers()
            try operations.addHandlers([
                IdleStateHandler(readTimeout: settings.serverTimeout.timeAmount),
                HTTPBackendHandler { event in loopBound.value.backendEvent(event, exchange: exchange, from: backend) },
            ])
        } catch {
            backend.close(promise: nil)
            answer(.plain(.badGateway), to: exchange, error: "connect-failed", detail: "\(error)")
            return
        }
        backend.write(HTTPClientRequestPart.head(exchange.forwarded), promise: nil)
        for part in exchange.bodyParts {
            backend.write(HTTPClientRequestPart.body(.byteBuffer(part)), promise: nil)
        }
        exchange.sent()
        if exchange.requestEnded {
            backend.write(HTTPClientRequestPart.end(nil), promise: nil)
        }
        backend.flush()
        try? backend.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
    }

    private func backendEvent(_ event: HTTPBackendEvent, exchange: HTTPExchange, from backend: Channel) {
        guard self.exchange === exchange, exchange.backend === backend, !closing, let context else { return }
        switch event {
        case .part(.head(let head)):
            exchange.responseBegan(at: .now(), status: Int(head.status.code))
            let clientVersion = exchange.original.version
            let framed = head.headers.contains(name: "Content-Length") || clientVersion.minor >= 1
            exchange.keepAlive = exchange.keepAlive && framed && !clientInputClosed
            let headers = HTTPForwardedHeaders.response(
                head.headers, clientVersion: clientVersion, keepAlive: exchange.keepAlive)
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: clientVersion, status: head.status, headers: headers))),
                promise: nil)
        case .part(.body(let part)):
            exchange.bytesOut += part.readableBytes
            context.write(wrapOutboundOut(.body(.byteBuffer(part))), promise: nil)
        case .part(.end(let trailers)):
            finish(exchange, trailers: trailers, context: context)
        case .readComplete:
            context.flush()
        case .writable(let writable):
            try? context.channel.syncOptions?.setOption(.autoRead, value: writable)
        case .timedOut:
            serverFailed(exchange, status: .gatewayTimeout, error: "server-timeout", detail: "no response within \(settings.serverTimeout)")
        case .failed(let error):
            exchange.error = "\(error)"
        case .closed:
            let detail = exchange.error.map { "server connection failed: \($0)" } ?? "server closed the connection"
            exchange.error = nil
            if !exchange.responseStarted, exchange.replayable, exchange.retries < route.config.retries {
                exchange.retries += 1
                exchange.backend = nil
                logger.warning(
                    "\(clientText) \(route.config.name): \(route.pool.config.name)/\(exchange.server ?? "?") \(detail) before responding; sending \(exchange.original.method.rawValue) to the next server",
                    metadata: record?.metadata ?? [:])
                try? context.channel.syncOptions?.setOption(.autoRead, value: true)
                connectServer(for: exchange)
            } else {
                serverFailed(exchange, status: .badGateway, error: "server-closed", detail: detail)
            }
        }
    }

    /// The response is complete: log it, and either wait for the next request or close.
    private func finish(_ exchange: HTTPExchange, trailers: HTTPHeaders?, context: ChannelHandlerContext) {
        self.exchange = nil
        exchange.backend?.close(promise: nil)
        logAccess(exchange)
        let keepOpen = exchange.keepAlive && exchange.requestEnded && !clientInputClosed
        let written = context.writeAndFlush(wrapOutboundOut(.end(trailers)))
        guard keepOpen else {
            closing = true
            let channel = context.channel
            written.whenComplete { _ in channel.close(promise: nil) }
            return
        }
        try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        startRequestTimer(context: context, first: false)
    }

    /// A server failure: answered with `status` before the response head, else the client connection is cut.
    private func serverFailed(_ exchange: HTTPExchange, status: HTTPResponseStatus, error: String, detail: String) {
        guard exchange.responseStarted, let context else {
            answer(.plain(status), to: exchange, error: error, detail: detail)
            return
        }
        exchange.error = error
        logger.warning(
            "\(clientText) \(route.config.name): \(route.pool.config.name)/\(exchange.server ?? "?") \(detail) in the middle of the response; closing",
            metadata: record?.metadata ?? [:])
        close(context: context)
    }

    // MARK: Answers, timeouts, closing

    /// Writes `response` for `exchange`, logs why, and closes the client connection.
    private func answer(_ response: HTTPErrorResponse, to exchange: HTTPExchange, error: String, detail: String) {
        guard let context else { return }
        closing = true
        self.exchange = nil
        exchange.backend?.close(promise: nil)
        exchange.status = Int(response.status.code)
        exchange.error = error
        exchange.bytesOut = response.body.count
        logger.warning(
            "\(clientText) \(route.config.name): \(detail); answered \(response.status.code) and closing",
            metadata: record?.metadata ?? [:])
        logAccess(exchange)
        context.write(wrapOutboundOut(.head(response.head(version: .http1_1))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: response.body)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    /// Waits at most the request timeout for the next request head; the first request's wait is
    /// logged when it runs out, a kept-alive connection's simply ends.
    private func startRequestTimer(context: ChannelHandlerContext, first: Bool) {
        let timeout = settings.requestTimeout
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        requestTimer = context.eventLoop.scheduleTask(in: timeout.timeAmount) {
            let handler = loopBound.value
            guard handler.exchange == nil, !handler.closing, let context = handler.context else { return }
            if first {
                handler.logger.warning(
                    "\(handler.clientText) \(handler.route.config.name): no complete request head within \(timeout); closing",
                    metadata: handler.record?.metadata ?? [:])
            }
            handler.close(context: context)
        }
    }

    private func close(context: ChannelHandlerContext) {
        closing = true
        exchange?.backend?.close(promise: nil)
        context.close(promise: nil)
    }

    /// Logs the access line at info, formatting it only when info is logged.
    private func logAccess(_ exchange: HTTPExchange) {
        guard logger.logLevel <= .info else { return }
        let line = exchange.accessLog(
            client: clientText, listener: route.config.name, pool: route.pool.config.name, now: .now()
        ).line
        var metadata = record?.metadata ?? [:]
        metadata["server"] = exchange.server.map { "\($0)" }
        logger.info("\(line)", metadata: metadata)
    }
}
