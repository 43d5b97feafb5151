import Logging
import NIOCore
import NIOHTTP1
import VipdConfig

/// The HTTP side of one client connection (`mode: http`): each request is validated, given its own
/// server through the pool's balancer, forwarded with the configured forwarded headers, and its
/// response streamed back; the client connection is kept alive between requests.
///
/// Server connections (`server_reuse`): with `safe`, the default, a connection whose response
/// ended cleanly and that both sides keep alive is parked in the pool's idle set, and a later
/// request for the same server on the same event loop may use it, from this client or another,
/// but only when the request can be sent again unchanged (idempotent method, no body): if the
/// server closed the parked connection at the same moment, the request goes out again on a new
/// connection (haproxy's `http-reuse safe`). A connection is never parked before its response was
/// read to the end, so a half-read response is never mistaken for the next one. With `never`, each
/// request opens its own connection and sends `Connection: close` (`option http-server-close`).
///
/// Failures are answered by vipd with a small complete response, logged, and the client
/// connection closed: no server up → the sorry page (503 by default); connect failure on every
/// server tried → 502; the server drops the connection before the response head → the request is
/// sent to the next server when its method is idempotent and its body small enough to keep, 502
/// otherwise; no byte from the server for the server timeout → 504. A first request head not
/// complete within the request timeout is answered 408 and the connection closed (slowloris); a
/// kept-alive connection with no next request within it is closed silently.
///
/// Pipelined requests are queued here and served one after the other in order (NIO's pipelining
/// handler would stop and restart reading the socket for every request, two `epoll_ctl` calls
/// each); reading stops only when a client queues more than `pipelineLimit` parts.
final class HTTPProxyHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Gives one request a server connection, a parked one when `reusingIdle` allows and there is
    /// one (the pool's `ServerConnector` in production).
    typealias Connect = (_ clientKey: [UInt8], _ record: ConnectionRecord, _ eventLoop: any EventLoop, _ reusingIdle: Bool) ->
        EventLoopFuture<ServerConnector.Connected>

    private let route: ListenerRoute
    private let logger: Logger
    private let connect: Connect
    private let settings: HTTPListenerSettings
    private var context: ChannelHandlerContext?
    private var record: ConnectionRecord?
    private var clientText = "unknown"
    /// The client's IP address as text (for forwarded headers) and as bytes (the balancer's key).
    private var clientAddress: String?
    private var clientKey: [UInt8] = []
    /// The request being served; nil between requests.
    private var exchange: HTTPExchange?
    /// Set once the connection is being closed: nothing more is read or answered.
    private var closing = false
    private var clientInputClosed = false
    /// The request timeout: the next request head must arrive before it.
    private var requestDeadline: LoopDeadline?
    /// Whether the connection still waits for its first request (a timeout then is logged).
    private var awaitingFirstRequest = true
    private var backendNeedsFlush = false
    /// Parts of pipelined requests that arrived while an earlier request was served, in order.
    private var pipelined = CircularBuffer<HTTPServerRequestPart>()
    /// Most queued parts before vipd stops reading the client until it has caught up.
    static let pipelineLimit = 64

    init(route: ListenerRoute, logger: Logger, connect: @escaping Connect) {
        self.route = route
        self.settings = route.config.http
        self.logger = logger
        self.connect = connect
    }

    /// Installs NIO's HTTP/1.1 server codec (with the listener's header limits) and this handler in
    /// a freshly accepted client channel; the idle timeout joins once the channel is active.
    static func install(in client: Channel, route: ListenerRoute, tracker: ConnectionTracker, logger: Logger)
        -> EventLoopFuture<Void>
    {
        tracker.track(client)
        let connector = ServerConnector(
            pool: route.pool, connectTimeout: route.config.connectTimeout, retries: route.config.retries, logger: logger)
        return client.eventLoop.makeCompletedFuture {
            try addHandlers(
                to: client,
                handler: HTTPProxyHandler(route: route, logger: logger) { key, record, loop, reusingIdle in
                    connector.connect(clientKey: key, record: record, on: loop, reusingIdle: reusingIdle)
                },
                settings: route.config.http)
        }
    }

    /// Adds the HTTP server codec and `handler` to `channel` (on its event loop).
    static func addHandlers(
        to channel: Channel, handler: HTTPProxyHandler, settings: HTTPListenerSettings
    ) throws {
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = settings.maxHeaderBytes
        limits.maxHeaderListSize = settings.maxHeaderBytes
        limits.maxHeaderFieldCount = settings.maxHeaders
        let operations = channel.pipeline.syncOperations
        try operations.configureHTTPServerPipeline(
            withPipeliningAssistance: false, withErrorHandling: false, withOutboundHeaderValidation: true,
            withEncoderConfiguration: .init(), withDecoderLimitConfiguration: limits)
        try operations.addHandler(handler)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        requestDeadline = LoopDeadline(on: context.eventLoop) { [weak self] in self?.requestTimedOut() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        requestDeadline?.cancel()
    }

    func channelActive(context: ChannelHandlerContext) {
        let record = ConnectionRecord(
            client: context.channel.remoteAddress, listener: route.config.name, pool: route.pool.config.name,
            acceptedAt: .now())
        self.record = record
        clientText = context.channel.remoteAddress.map(ConnectionRecord.describe) ?? "unknown"
        clientAddress = context.channel.remoteAddress?.ipAddress
        clientKey = Array((clientAddress ?? "").utf8)
        try? context.pipeline.syncOperations.addHandler(
            IdleTimeoutCloser(record: record, timeout: route.config.idleTimeout), position: .before(self))
        requestDeadline?.set(in: settings.requestTimeout.timeAmount)
        try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        requestDeadline?.cancel()
        closing = true
        if let exchange {
            self.exchange = nil
            exchange.error = exchange.error ?? "client-closed"
            letGoOfServer(exchange, park: false)
            logAccess(exchange)
        }
        context.fireChannelInactive()
    }

    // MARK: The request

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let part = unwrapInboundIn(data)
        guard pipelined.isEmpty, takesRequestPartsNow else {
            pipelined.append(part)
            if pipelined.count > Self.pipelineLimit {
                try? context.channel.syncOptions?.setOption(.autoRead, value: false)
            }
            return
        }
        receive(part, context: context)
    }

    /// Whether a part read now belongs to the request being served (or starts one): false once the
    /// current request is complete and its response not yet.
    private var takesRequestPartsNow: Bool {
        exchange.map { !$0.requestEnded } ?? true
    }

    private func receive(_ part: HTTPServerRequestPart, context: ChannelHandlerContext) {
        switch part {
        case .head(let head): receiveHead(head, context: context)
        case .body(let part): receiveBody(part)
        case .end: receiveEnd()
        }
    }

    /// Serves queued pipelined parts until a request is in flight again or the queue is empty.
    private func servePipelined(context: ChannelHandlerContext) {
        while !closing, takesRequestPartsNow, let part = pipelined.popFirst() {
            receive(part, context: context)
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
        requestDeadline?.clear()
        awaitingFirstRequest = false
        let forwarded = HTTPRequestHead(
            version: head.version, method: head.method, uri: head.uri,
            headers: HTTPForwardedHeaders.request(
                head.headers, version: head.version, clientAddress: clientAddress, settings: settings))
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
        exchange.lease?.traffic.addBytesFromClient(part.readableBytes)
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
            if exchange == nil, pipelined.isEmpty { close(context: context) }
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
        if let exchange, exchange.requestEnded, !exchange.responseStarted {
            // A later pipelined request is malformed: the current one is answered, then the connection closed.
            exchange.keepAlive = false
            logger.warning(
                "\(clientText) \(route.config.name): \(rejection.reason) in a pipelined request; closing after the current response",
                metadata: record?.metadata ?? [:])
            return
        }
        if let exchange, exchange.responseStarted {
            exchange.error = "rejected"
            logger.warning(
                "\(clientText) \(route.config.name): \(rejection.reason) in the middle of the response; closing",
                metadata: record?.metadata ?? [:])
            close(context: context)
            return
        }
        answer(.plain(rejection.status), to: exchange ?? unparsedRequest(), error: "rejected", detail: rejection.reason)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        try? exchange?.backend?.syncOptions?.setOption(.autoRead, value: context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    // MARK: The server

    private func connectServer(for exchange: HTTPExchange) {
        guard let context, let record else { return }
        let retriesBefore = record.retries
        let loopBound = NIOLoopBound((self, exchange, record), eventLoop: context.eventLoop)
        let reusingIdle = settings.serverReuse == .safe && exchange.mayUseParkedConnection && !exchange.avoidParkedConnections
        connect(clientKey, record, context.eventLoop, reusingIdle).whenComplete { result in
            let (handler, exchange, record) = loopBound.value
            exchange.retries += record.retries - retriesBefore
            switch result {
            case .success(let connected):
                handler.attach(connected, to: exchange)
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

    private func attach(_ connected: ServerConnector.Connected, to exchange: HTTPExchange) {
        let backend = connected.channel
        let lease = ServerLease(pool: route.pool, pick: connected.pick)
        guard self.exchange === exchange, !closing, let context else {
            lease.end()
            backend.close(promise: nil)
            return
        }
        exchange.backend = backend
        exchange.lease = lease
        exchange.server = connected.pick.server.name
        exchange.connectedAt = .now()
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let deliver: (HTTPBackendEvent) -> Void = { event in
            loopBound.value.backendEvent(event, exchange: exchange, from: backend)
        }
        let timeout = settings.serverTimeout.timeAmount
        if let parked = connected.parkedHandler?.value {
            exchange.reusedConnection = true
            exchange.backendHandler = parked
            guard parked.serve(timeout: timeout, deliver: deliver) else {
                // It closed after it was taken: the request goes out on a new connection.
                letGoOfServer(exchange, park: false)
                exchange.avoidParkedConnections = true
                connectServer(for: exchange)
                return
            }
        } else {
            do {
                let handler = HTTPBackendHandler(timeout: timeout, deliver: deliver)
                try backend.pipeline.syncOperations.addHandlers([
                    HTTPRequestEncoder(),
                    ByteToMessageHandler(
                        HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes, informationalResponseStrategy: .forward)),
                    NIOHTTPRequestHeadersValidator(), handler,
                ])
                exchange.backendHandler = handler
            } catch {
                letGoOfServer(exchange, park: false)
                answer(.plain(.badGateway), to: exchange, error: "connect-failed", detail: "\(error)")
                return
            }
        }
        backend.write(HTTPClientRequestPart.head(exchange.forwarded), promise: nil)
        for part in exchange.bodyParts {
            lease.traffic.addBytesFromClient(part.readableBytes)
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
        case .part(.head(let head)) where (100..<200).contains(head.status.code) && head.status != .switchingProtocols:
            // An interim response (100 Continue, 103 Early Hints): passed on to HTTP/1.1 clients, the final one follows.
            guard exchange.original.version.minor >= 1 else { return }
            let headers = HTTPForwardedHeaders.response(head.headers, clientVersion: exchange.original.version, keepAlive: true)
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: exchange.original.version, status: head.status, headers: headers))),
                promise: nil)
        case .part(.head(let head)):
            exchange.responseBegan(at: .now(), status: Int(head.status.code))
            exchange.serverKeepsConnection = head.isKeepAlive && head.status != .switchingProtocols
            let clientVersion = exchange.original.version
            let framed = head.headers.contains(name: "Content-Length") || clientVersion.minor >= 1
            exchange.keepAlive = exchange.keepAlive && framed && !(clientInputClosed && pipelined.isEmpty)
            let headers = HTTPForwardedHeaders.response(
                head.headers, clientVersion: clientVersion, keepAlive: exchange.keepAlive)
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: clientVersion, status: head.status, headers: headers))),
                promise: nil)
        case .part(.body(let part)):
            exchange.bytesOut += part.readableBytes
            exchange.lease?.traffic.addBytesFromServer(part.readableBytes)
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
            if !exchange.responseStarted, exchange.reusedConnection {
                // A parked connection the server closed as it was taken: not the server's failure.
                letGoOfServer(exchange, park: false)
                exchange.avoidParkedConnections = true
                try? context.channel.syncOptions?.setOption(.autoRead, value: true)
                connectServer(for: exchange)
            } else if !exchange.responseStarted, exchange.replayable, exchange.retries < route.config.retries {
                exchange.retries += 1
                letGoOfServer(exchange, park: false)
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
        letGoOfServer(exchange, park: exchange.serverKeepsConnection && exchange.requestEnded && exchange.error == nil)
        logAccess(exchange)
        let keepOpen = exchange.keepAlive && exchange.requestEnded && !(clientInputClosed && pipelined.isEmpty)
        guard keepOpen else {
            closing = true
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).whenComplete { _ in channel.close(promise: nil) }
            return
        }
        context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
        requestDeadline?.set(in: settings.requestTimeout.timeAmount)
        servePipelined(context: context)
        if pipelined.count <= Self.pipelineLimit, context.channel.isWritable {
            try? context.channel.syncOptions?.setOption(.autoRead, value: true)
        }
        if self.exchange == nil, pipelined.isEmpty, clientInputClosed { close(context: context) }
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
        letGoOfServer(exchange, park: false)
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

    /// No request head within the request timeout: the first request's wait is logged when it runs
    /// out, a kept-alive connection's simply ends.
    private func requestTimedOut() {
        guard exchange == nil, !closing, let context else { return }
        guard awaitingFirstRequest else {
            close(context: context)
            return
        }
        answer(
            .plain(.requestTimeout), to: unparsedRequest(), error: "request-timeout",
            detail: "no complete request head within \(settings.requestTimeout)")
    }

    /// Stands for a request whose head never arrived whole, in answers and the access log.
    private func unparsedRequest() -> HTTPExchange {
        let unknown = HTTPRequestHead(version: .http1_1, method: .RAW(value: "-"), uri: "-")
        return HTTPExchange(original: unknown, forwarded: unknown, startedAt: .now())
    }

    private func close(context: ChannelHandlerContext) {
        closing = true
        if let exchange { letGoOfServer(exchange, park: false) }
        context.close(promise: nil)
    }

    /// Ends `exchange`'s hold on its server and detaches its server connection: parked for a later
    /// request when `park` (and reuse is on, and the idle set has room), closed otherwise.
    private func letGoOfServer(_ exchange: HTTPExchange, park: Bool) {
        exchange.lease?.end()
        guard let backend = exchange.backend else { return }
        exchange.backend = nil
        let server = exchange.lease?.pick.index
        exchange.lease = nil
        let handler = exchange.backendHandler
        exchange.backendHandler = nil
        exchange.reusedConnection = false
        let idle = route.pool.idleConnections
        guard park, settings.serverReuse == .safe, let server, let handler, backend.isActive,
            idle.park(backend, handler: handler, server: server)
        else {
            backend.close(promise: nil)
            return
        }
        handler.park(idleTimeout: settings.serverIdleTimeout.timeAmount) { idle.remove(backend, server: server) }
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
