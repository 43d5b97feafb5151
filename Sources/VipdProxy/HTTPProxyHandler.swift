import Logging
import NIOCore
import NIOHTTP1
import VipdConfig

/// The HTTP side of one client connection (`mode: http`): each request is validated, given its own
/// server through the pool's balancer, forwarded with the configured forwarded headers, and its
/// response streamed back; the client connection is kept alive between requests.
///
/// Server connections (`server_reuse`): with `safe`, the default, a connection whose response
/// ended cleanly and that both sides keep alive is parked: held by this client while it stays,
/// then in the pool's idle set (when the client's next request is balanced elsewhere, or the
/// client leaves). A later request for the same server on the same event loop may use it, from
/// this client or another, but only when the request can be sent again unchanged (idempotent method, no body): if the
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
/// complete within the request timeout is answered 408 and the connection closed (slowloris), and so
/// is a later one begun but not complete; a kept-alive connection with no byte of a next request
/// within it is closed silently. A TLS handshake (a client speaking HTTPS to this plain listener) is
/// answered 400 at once. A connection that ends with part of a request head read and unanswered (the
/// client closed it, or the idle timeout cut it) is logged as `<BADREQ>`, as haproxy logs it; one
/// that closes without sending a byte is not logged (haproxy's `option dontlognull`). Client connections
/// have no TCP keepalive (as haproxy without `option clitcpka`): the request and idle timeouts end
/// the silent ones.
///
/// Protocol upgrades (WebSocket): a request with `Connection: Upgrade` goes to the server with its
/// `Upgrade` field; when the server answers `101 Switching Protocols`, the answer goes to the client
/// and from then on bytes pass both ways unread, like a `mode: tcp` connection, until either side
/// closes (the listener's `idle_timeout` ends a silent tunnel; the server timeout no longer applies,
/// as haproxy's `timeout tunnel`). The access log line is written when the tunnel ends, with status 101.
///
/// The wire format is read by vipd's own HTTP/1.1 reader (`HTTP1HeadParser`, `HTTP1BodyReader`),
/// strict where requests could be smuggled, and forwarded as bytes: only the heads are rewritten,
/// bodies pass as they came. Pipelined requests stay unread in the buffer until the response before
/// them is complete, and are then served in order; reading stops while more than
/// `pipelineLimit` bytes wait.
final class HTTPProxyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Gives one request a server connection, a parked one when `reusingIdle` allows and there is
    /// one, `held` (this client's own) first (the pool's `ServerConnector` in production).
    typealias Connect = (
        _ clientKey: [UInt8], _ record: ConnectionRecord, _ eventLoop: any EventLoop, _ reusingIdle: Bool,
        _ held: IdleServerConnections.Parked?
    ) -> ServerConnector.Attempt

    private let route: ListenerRoute
    private let logger: Logger
    /// Whether the logger takes info lines (access lines), asked once per connection.
    private let logsAccess: Bool
    private let connect: Connect
    private let settings: HTTPListenerSettings
    /// The listener's idle timeout, the request timeout and the server timeouts, converted once per connection.
    private let idleTimeout: TimeAmount
    private let requestTimeout: TimeAmount
    private let serverTimeout: TimeAmount
    private let serverIdleTimeout: TimeAmount
    private var context: ChannelHandlerContext?
    private var record: ConnectionRecord?
    /// The client as logs name it, formatted only when a line is logged.
    private lazy var clientText: String = record?.client.map(ConnectionRecord.describe) ?? "unknown"
    /// The client's IP address as text (for forwarded headers) and as bytes (the balancer's key).
    private var clientAddress: String?
    private var clientKey: [UInt8] = []
    /// The request being served; nil between requests.
    private var exchange: HTTPExchange?
    /// The server connection of the last response while this client stays: its next request takes
    /// it back when the balancer picks the same server, without the pool's idle set and its lock.
    /// It goes to the idle set when another server is picked or the client leaves.
    private(set) var heldServer: IdleServerConnections.Parked?
    /// Set once the connection is being closed: nothing more is read or answered.
    private var closing = false
    private var clientInputClosed = false
    /// The request timeout: the next request head must arrive before it.
    private var requestDeadline: LoopDeadline?
    /// The listener's idle timeout: moved on by every read burst from the client and every flush to
    /// it, so it runs out only when no byte moved either way (kept here rather than in a separate
    /// handler: this handler is the only one that writes to the client).
    private var idleDeadline: LoopDeadline?
    /// Whether the connection still waits for its first request (a timeout then is logged).
    private var awaitingFirstRequest = true
    /// The access log's `error=` for a request cut when the connection ends, when vipd cut it
    /// (`client-closed` otherwise).
    private var cutReason: String?
    private var backendNeedsFlush = false
    /// Whether the client channel reads (autoRead, on from the start), as last set.
    private var clientReading = true
    /// Bytes read from the client and not handled yet: the rest of a request head, or pipelined requests.
    private var inbound: ByteBuffer?
    private var headParser: HTTP1HeadParser
    /// The reader of the current request's body, until it ended.
    private var body: HTTP1BodyReader?
    /// Most bytes waiting unread before vipd stops reading the client until it has caught up.
    static let pipelineLimit = 65536
    /// Longest response body copied next to its head, to go out in one write.
    static let coalescedBodyLimit = 16384
    /// Response bytes held back by `writeClient` to go out with the next ones.
    private var heldForClient: ByteBuffer?
    /// The last buffers a request head and a response head were written into, kept to be written
    /// into again (`ByteBuffer.clear` reuses the memory once nothing else refers to it, else
    /// allocates): no allocation per request in the steady state. Kept only up to `spareLimit` bytes.
    private var spareRequestBuffer: ByteBuffer?
    private var spareResponseBuffer: ByteBuffer?
    static let spareLimit = 4096

    init(route: ListenerRoute, logger: Logger, connect: @escaping Connect) {
        self.route = route
        self.settings = route.config.http
        self.idleTimeout = TimeAmount(route.config.idleTimeout)
        self.requestTimeout = TimeAmount(route.config.http.requestTimeout)
        self.serverTimeout = TimeAmount(route.config.http.serverTimeout)
        self.serverIdleTimeout = TimeAmount(route.config.http.serverIdleTimeout)
        self.logger = logger
        self.logsAccess = logger.logLevel <= .info
        self.connect = connect
        self.headParser = HTTP1HeadParser(maxBytes: settings.maxHeaderBytes, maxFields: settings.maxHeaders)
    }

    /// Installs this handler in a freshly accepted client channel (reading from the start, remote
    /// half-closure allowed: a client may send its last request and shut its side).
    static func install(in client: Channel, route: ListenerRoute, tracker: ConnectionTracker, logger: Logger)
        -> EventLoopFuture<Void>
    {
        tracker.track(client)
        let connector = ServerConnector(
            pool: route.pool, connectTimeout: route.config.connectTimeout, retries: route.config.retries, logger: logger)
        let handler = HTTPProxyHandler(route: route, logger: logger) { key, record, loop, reusingIdle, held in
            connector.connect(clientKey: key, record: record, on: loop, reusingIdle: reusingIdle, held: held)
        }
        return client.eventLoop.makeCompletedFuture {
            try client.syncOptions?.setOption(.allowRemoteHalfClosure, value: true)
            try client.pipeline.syncOperations.addHandler(handler)
        }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        requestDeadline = LoopDeadline(on: context.eventLoop) { self.requestTimedOut() }
        idleDeadline = LoopDeadline(on: context.eventLoop) { self.idleTimedOut() }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        requestDeadline?.end()
        idleDeadline?.end()
    }

    func channelActive(context: ChannelHandlerContext) {
        let record = ConnectionRecord(
            client: context.channel.remoteAddress, listener: route.config.name, pool: route.pool.config.name,
            acceptedAt: .now())
        self.record = record
        clientAddress = context.channel.remoteAddress?.ipAddress
        clientKey = Array((clientAddress ?? "").utf8)
        idleDeadline?.set(in: idleTimeout)
        requestDeadline?.set(in: requestTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        requestDeadline?.cancel()
        idleDeadline?.cancel()
        closing = true
        if let held = heldServer.take() { handToIdleSet(held) }
        if let exchange {
            self.exchange = nil
            if !exchange.tunneling { exchange.error = exchange.error ?? cutReason ?? "client-closed" }
            letGoOfServer(exchange, park: false)
            logAccess(exchange)
        } else if hasWaitingRequestBytes {
            logIncompleteRequest()
        }
        context.fireChannelInactive()
    }

    // MARK: The request

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        inbound.append(unwrapInboundIn(data))
        readRequests(context: context)
    }

    /// Handles what `inbound` holds: the current request's body, then the next request head once the
    /// current response is complete. Stops reading the client while too many bytes wait.
    private func readRequests(context: ChannelHandlerContext) {
        guard var buffer = inbound else { return }
        inbound = nil
        if let exchange, exchange.tunneling {
            forwardThroughTunnel(buffer, of: exchange)
            return
        }
        do {
            while !closing, buffer.readableBytes > 0 || body?.isEnded == true {
                if var reader = body {
                    let piece = try reader.read(from: &buffer)
                    body = reader
                    guard let piece else { break }
                    receiveBody(piece)
                    if piece.ended {
                        body = nil
                        receiveEnd()
                    }
                } else {
                    guard exchange == nil else { break }  // pipelined: waits for the current response
                    if TLSHandshakeDetection.startsWithHandshake(buffer) {
                        rejectTLSHandshake()
                        return
                    }
                    guard let head = try headParser.take(from: &buffer) else { break }
                    try receiveHead(HTTP1RequestHead(head), context: context)
                }
            }
        } catch {
            rejectUnreadable(error, context: context)
            return
        }
        guard !closing, buffer.readableBytes > 0 else { return }
        inbound = buffer
        if buffer.readableBytes > Self.pipelineLimit, exchange != nil {
            setClientReading(false, context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        idleDeadline?.set(in: idleTimeout)
        if backendNeedsFlush, let backend = exchange?.backendHandler {
            backend.flush()
        }
        backendNeedsFlush = false
        context.fireChannelReadComplete()
    }

    private func receiveHead(_ request: consuming HTTP1RequestHead, context: ChannelHandlerContext) {
        requestDeadline?.clear()
        awaitingFirstRequest = false
        var forwarded = Self.buffer(
            reusing: &spareRequestBuffer, capacity: request.head.bytes.readableBytes + 128, context: context)
        HTTPForwardedHeaders.writeRequest(request, clientAddress: clientAddress, settings: settings, into: &forwarded)
        Self.keep(forwarded, as: &spareRequestBuffer)
        switch HTTPRequestValidation.framing(of: request, maxBodyBytes: settings.maxBodyBytes) {
        case .success(let framing):
            let exchange = HTTPExchange(request: request, forwarded: forwarded, framing: framing, startedAt: timestamp())
            self.exchange = exchange
            body = HTTP1BodyReader(framing: framing, maxPayload: settings.maxBodyBytes)
            connectServer(for: exchange)
        case .failure(let rejection):
            let exchange = HTTPExchange(request: request, forwarded: forwarded, framing: .none, startedAt: timestamp())
            self.exchange = exchange
            route.traffic.rejectedBadRequest()
            answer(.plain(rejection.status), to: exchange, error: "rejected", detail: rejection.reason)
        }
    }

    /// Client bytes of a switched connection, to the server as they are.
    private func forwardThroughTunnel(_ bytes: ByteBuffer, of exchange: HTTPExchange) {
        guard let backend = exchange.backendHandler, bytes.readableBytes > 0 else { return }
        exchange.bytesIn += bytes.readableBytes
        exchange.lease?.traffic.addBytesFromClient(bytes.readableBytes)
        backend.write(bytes)
        backendNeedsFlush = true
    }

    private func receiveBody(_ piece: HTTP1BodyReader.Piece) {
        guard let exchange, piece.bytes.readableBytes > 0 else { return }
        exchange.receive(piece.bytes, payload: piece.payload)
        guard let backend = exchange.backendHandler else { return }
        exchange.lease?.traffic.addBytesFromClient(piece.bytes.readableBytes)
        backend.write(piece.bytes)
        backendNeedsFlush = true
    }

    private func receiveEnd() {
        guard let exchange else { return }
        exchange.requestEnded = true
        if let backend = exchange.backendHandler, backendNeedsFlush {
            backend.flush()
            backendNeedsFlush = false
        }
    }

    /// Request bytes that are not valid HTTP/1.1: answered with the matching status before the
    /// response started, the connection cut after.
    private func rejectUnreadable(_ error: any Error, context: ChannelHandlerContext) {
        let syntaxError = error as? HTTP1SyntaxError ?? .malformed("\(error)")
        let rejection = HTTPRequestValidation.rejection(for: syntaxError, maxBodyBytes: settings.maxBodyBytes)
        route.traffic.rejectedBadRequest()
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

    /// A TLS handshake where a request head should start (a client told `https://` for this plain
    /// listener): answered 400 at once, in plain text saying why, rather than 408 at the request timeout.
    private func rejectTLSHandshake() {
        route.traffic.rejectedBadRequest()
        answer(
            .plain(.badRequest, explanation: "This listener speaks plain HTTP, not HTTPS (TLS)."), to: unparsedRequest(),
            error: "tls-handshake", detail: "TLS handshake on a plain HTTP listener")
    }

    /// The connection ended with part of a request head read and not answered: logged as `<BADREQ>`
    /// with no status.
    private func logIncompleteRequest() {
        route.traffic.rejectedBadRequest()
        let request = unparsedRequest()
        request.error = cutReason ?? "client-closed"
        logAccess(request)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            clientInputClosed = true
            if let exchange, exchange.tunneling {
                // The client sends nothing more: the server hears it, and may still answer until it closes.
                exchange.backend?.close(mode: .output, promise: nil)
            } else if exchange == nil {
                close(context: context)
            }
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !closing else { return }
        exchange?.error = "client-error"
        logger.notice("\(clientText) \(route.config.name): \(error); closing", metadata: record?.metadata ?? [:])
        close(context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.backendHandler?.setReading(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    // MARK: The server

    private func connectServer(for exchange: HTTPExchange) {
        guard let context, let record else { return }
        let retriesBefore = record.retries
        let reusingIdle = settings.serverReuse == .safe && exchange.mayUseParkedConnection && !exchange.avoidParkedConnections
        let opening: EventLoopFuture<ServerConnector.Connected>
        // The held connection serves this request if it is to the picked server; else it goes to the idle set.
        let held = heldServer.take()
        switch connect(clientKey, record, context.eventLoop, reusingIdle, held) {
        case .parked(let connected):
            if let held, connected.channel !== held.channel { handToIdleSet(held) }
            attach(connected, to: exchange)
            return
        case .opening(let future):
            if let held { handToIdleSet(held) }
            opening = future
        }
        let loopBound = NIOLoopBound((self, exchange, record), eventLoop: context.eventLoop)
        opening.whenComplete { result in
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
            route.traffic.refusedForNoServer()
            answer(.sorry(settings.sorryPage), to: exchange, error: "no-server", detail: failure?.detail ?? "\(error)")
        } else {
            answer(.plain(.badGateway), to: exchange, error: "connect-failed", detail: failure?.detail ?? "\(error)")
        }
    }

    private func attach(_ connected: ServerConnector.Connected, to exchange: HTTPExchange) {
        let backend = connected.channel
        var lease = ServerLease(pool: route.pool, pick: connected.pick)
        guard self.exchange === exchange, !closing, let context else {
            lease.end()
            backend.close(promise: nil)
            return
        }
        exchange.backend = backend
        exchange.lease = lease
        exchange.server = connected.pick.server.name
        exchange.connectedAt = timestamp()
        let timeout = serverTimeout
        let request = HTTPBackendHandler.Request(
            isHead: exchange.method == .HEAD, decodingChunks: exchange.clientMinorVersion == 0, asksUpgrade: exchange.asksUpgrade)
        if let parked = connected.parkedHandler?.value {
            exchange.reusedConnection = true
            exchange.backendHandler = parked
            guard parked.serve(timeout: timeout, request: request, client: self) else {
                // It closed after it was taken: the request goes out on a new connection.
                letGoOfServer(exchange, park: false)
                exchange.avoidParkedConnections = true
                connectServer(for: exchange)
                return
            }
        } else {
            do {
                let handler = HTTPBackendHandler(timeout: timeout, request: request, client: self)
                try backend.pipeline.syncOperations.addHandler(handler)
                exchange.backendHandler = handler
            } catch {
                letGoOfServer(exchange, park: false)
                answer(.plain(.badGateway), to: exchange, error: "connect-failed", detail: "\(error)")
                return
            }
        }
        guard let handler = exchange.backendHandler else { return }
        handler.write(exchange.forwarded)
        for part in exchange.bodyParts {
            lease.traffic.addBytesFromClient(part.readableBytes)
            handler.write(part)
        }
        exchange.sent()
        handler.flush()
        handler.setReading(context.channel.isWritable)
    }

    /// What the server connection of the current request reports; events of a connection this
    /// client let go of meanwhile are ignored.
    func backendEvent(_ event: HTTPBackendEvent, from handler: HTTPBackendHandler) {
        guard let exchange, exchange.backendHandler === handler, !closing, let context else { return }
        switch event {
        case .interim(let response):
            // 100 Continue, 103 Early Hints: passed on to HTTP/1.1 clients, the final response follows.
            guard exchange.clientMinorVersion >= 1 else { return }
            var head = context.channel.allocator.buffer(capacity: response.head.bytes.readableBytes)
            HTTPForwardedHeaders.writeResponse(
                response, clientMinorVersion: 1, keepAlive: true, decodingChunks: false, into: &head)
            writeClient(head, context: context)
            flushClient(context: context)
        case .head(let response) where response.status == 101 && exchange.asksUpgrade:
            switchProtocols(exchange, response: response, context: context)
        case .head(let response):
            countResponse(response.status, from: exchange)
            exchange.responseBegan(at: timestamp(), status: response.status)
            exchange.serverKeepsConnection = response.isKeepAlive
            let clientMinorVersion = exchange.clientMinorVersion
            // The client can tell where the body ends from its framing, kept as is, except for chunks
            // to an HTTP/1.0 client (decoded) and a body that ends with the server's close.
            let framed: Bool
            switch response.framing {
            case .none, .length: framed = true
            case .chunked: framed = clientMinorVersion >= 1
            case .untilClose: framed = false
            }
            exchange.keepAlive = exchange.keepAlive && framed && !(clientInputClosed && !hasWaitingRequestBytes)
            // Room for a small body after the head: read with it, it leaves in the same write.
            var smallBody = 0
            if case .length(let length) = response.framing, length <= Self.coalescedBodyLimit { smallBody = length }
            var head = Self.buffer(
                reusing: &spareResponseBuffer, capacity: response.head.bytes.readableBytes + 32 + smallBody, context: context)
            HTTPForwardedHeaders.writeResponse(
                response, clientMinorVersion: clientMinorVersion, keepAlive: exchange.keepAlive,
                decodingChunks: response.framing == .chunked && clientMinorVersion == 0, into: &head)
            writeClient(head, holding: true, context: context)
        case .body(let bytes, let payload):
            exchange.bytesOut += payload
            exchange.lease?.traffic.addBytesFromServer(bytes.readableBytes)
            writeClient(bytes, context: context)
        case .end(let reusable):
            exchange.serverKeepsConnection = exchange.serverKeepsConnection && reusable
            finish(exchange, context: context)
        case .readComplete:
            flushClient(context: context)
        case .writable(let writable):
            setClientReading(writable, context: context)
        case .timedOut:
            exchange.lease?.traffic.timedOut()
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
                setClientReading(true, context: context)
                connectServer(for: exchange)
            } else if !exchange.responseStarted, exchange.replayable, exchange.retries < route.config.retries {
                exchange.retries += 1
                exchange.lease?.traffic.retried()
                letGoOfServer(exchange, park: false)
                logger.warning(
                    "\(clientText) \(route.config.name): \(route.pool.config.name)/\(exchange.server ?? "?") \(detail) before responding; sending \(exchange.method.rawValue) to the next server",
                    metadata: record?.metadata ?? [:])
                setClientReading(true, context: context)
                connectServer(for: exchange)
            } else {
                exchange.lease?.traffic.responseFailed()
                serverFailed(exchange, status: .badGateway, error: "server-closed", detail: detail)
            }
        }
    }

    /// The server switched protocols: its answer goes to the client, then bytes pass both ways as they
    /// are, the client's waiting ones first.
    private func switchProtocols(_ exchange: HTTPExchange, response: HTTP1ResponseHead, context: ChannelHandlerContext) {
        countResponse(response.status, from: exchange)
        exchange.responseBegan(at: timestamp(), status: response.status)
        exchange.tunneling = true
        exchange.keepAlive = false
        exchange.serverKeepsConnection = false
        body = nil
        var head = context.channel.allocator.buffer(capacity: response.head.bytes.readableBytes + 32)
        HTTPForwardedHeaders.writeResponse(
            response, clientMinorVersion: 1, keepAlive: false, decodingChunks: false, switching: true, into: &head)
        writeClient(head, context: context)
        flushClient(context: context)
        if let waiting = inbound.take() {
            forwardThroughTunnel(waiting, of: exchange)
            exchange.backendHandler?.flush()
            backendNeedsFlush = false
        }
        setClientReading(context.channel.isWritable, context: context)
    }

    /// The response is complete: log it, and either wait for the next request or close.
    private func finish(_ exchange: HTTPExchange, context: ChannelHandlerContext) {
        self.exchange = nil
        let keepOpen = exchange.keepAlive && exchange.requestEnded && !(clientInputClosed && !hasWaitingRequestBytes)
        letGoOfServer(
            exchange, park: exchange.serverKeepsConnection && exchange.requestEnded && exchange.error == nil, hold: keepOpen)
        logAccess(exchange)
        guard keepOpen else {
            sendThenClose(context.channel.allocator.buffer(capacity: 0), context: context)
            return
        }
        let now = context.eventLoop.now
        flushClient(context: context, now: now)
        requestDeadline?.set(now + requestTimeout)
        readRequests(context: context)
        if !closing, (inbound?.readableBytes ?? 0) <= Self.pipelineLimit, context.channel.isWritable {
            setClientReading(true, context: context)
        }
        // The client sends nothing more: what waits unread is a head that cannot be completed (logged as it ends).
        if !closing, self.exchange == nil, clientInputClosed { close(context: context) }
    }

    /// Writes `bytes` to the client after what was written before. With `holding`, `bytes` (a buffer
    /// of vipd's own, with room to spare) is held back until the next write that does not fit in it,
    /// or the next flush: a response head and a small body read with it leave in one write, one trip
    /// through NIO's pipeline instead of two.
    private func writeClient(_ bytes: ByteBuffer, holding: Bool = false, context: ChannelHandlerContext) {
        if var held = heldForClient.take() {
            if bytes.readableBytes <= held.writableBytes {
                held.writeImmutableBuffer(bytes)
                heldForClient = held
                return
            }
            writeHeld(held, context: context)
        }
        if holding {
            heldForClient = bytes
        } else {
            context.write(wrapOutboundOut(bytes), promise: nil)
        }
    }

    /// Writes out what `writeClient` held back.
    private func writeHeldBytes(context: ChannelHandlerContext) {
        if let held = heldForClient.take() { writeHeld(held, context: context) }
    }

    /// Writes `held`, a response head (and maybe its body), keeping its buffer for the next head.
    private func writeHeld(_ held: ByteBuffer, context: ChannelHandlerContext) {
        context.write(wrapOutboundOut(held), promise: nil)
        Self.keep(held, as: &spareResponseBuffer)
    }

    /// `spare` emptied with room for `capacity` bytes (its memory again when nothing else refers to
    /// it), or a new buffer.
    private static func buffer(reusing spare: inout ByteBuffer?, capacity: Int, context: ChannelHandlerContext)
        -> ByteBuffer
    {
        guard var buffer = spare.take() else { return context.channel.allocator.buffer(capacity: capacity) }
        buffer.clear(minimumCapacity: capacity)
        return buffer
    }

    /// Keeps `buffer` to be written into again, unless it grew beyond `spareLimit`.
    private static func keep(_ buffer: ByteBuffer, as spare: inout ByteBuffer?) {
        spare = buffer.capacity <= spareLimit ? buffer : nil
    }

    /// Sends what was written to the client; a flush counts as activity for the idle timeout (from
    /// `now` when the caller has read the clock already).
    private func flushClient(context: ChannelHandlerContext, now: NIODeadline? = nil) {
        writeHeldBytes(context: context)
        idleDeadline?.set((now ?? context.eventLoop.now) + idleTimeout)
        context.flush()
    }

    /// Turns reading from the client on or off (autoRead), touching the channel only on a change.
    private func setClientReading(_ on: Bool, context: ChannelHandlerContext) {
        guard on != clientReading else { return }
        clientReading = on
        try? context.channel.syncOptions?.setOption(.autoRead, value: on)
    }

    /// Whether request bytes wait unread (a pipelined request, or part of one).
    private var hasWaitingRequestBytes: Bool { (inbound?.readableBytes ?? 0) > 0 }

    /// Writes `bytes` after what was written before, flushes, and closes the connection once all is sent.
    private func sendThenClose(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        closing = true
        inbound = nil  // never read now: not an incomplete request to log
        let channel = context.channel
        writeHeldBytes(context: context)
        idleDeadline?.set(in: idleTimeout)
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
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
        route.traffic.responses.count(status: Int(response.status.code))
        exchange.error = error
        exchange.bytesOut = response.body.count
        logger.warning(
            "\(clientText) \(route.config.name): \(detail); answered \(response.status.code) and closing",
            metadata: record?.metadata ?? [:])
        logAccess(exchange)
        var bytes = context.channel.allocator.buffer(capacity: 160 + response.body.count)
        response.write(to: &bytes)
        sendThenClose(bytes, context: context)
    }

    /// No request head within the request timeout: the first request's wait, or a later one begun,
    /// is answered and logged when it runs out; a kept-alive connection with nothing of a next request simply ends.
    private func requestTimedOut() {
        guard exchange == nil, !closing, let context else { return }
        guard awaitingFirstRequest || hasWaitingRequestBytes else {
            close(context: context)
            return
        }
        route.traffic.requestTimedOut()
        answer(
            .plain(.requestTimeout), to: unparsedRequest(), error: "request-timeout",
            detail: "no complete request head within \(settings.requestTimeout)")
    }

    /// No byte either way for the listener's idle timeout: the connection is closed.
    private func idleTimedOut() {
        guard let context else { return }
        record?.noteEnd(.idleTimeout)
        cutReason = "idle-timeout"
        close(context: context)
    }

    /// Stands for a request whose head never arrived whole, in answers and the access log.
    private func unparsedRequest() -> HTTPExchange {
        HTTPExchange(request: nil, forwarded: ByteBuffer(), framing: .none, startedAt: timestamp())
    }

    private func close(context: ChannelHandlerContext) {
        closing = true
        if let exchange { letGoOfServer(exchange, park: false) }
        context.close(promise: nil)
    }

    /// Ends `exchange`'s hold on its server and detaches its server connection: when `park` (and
    /// reuse is on), kept by this client for its next request with `hold`, else parked in the pool's
    /// idle set if it has room; closed otherwise.
    private func letGoOfServer(_ exchange: HTTPExchange, park: Bool, hold: Bool = false) {
        exchange.lease?.end()
        guard let backend = exchange.backend else { return }
        exchange.backend = nil
        let server = exchange.lease?.pick.index
        exchange.lease = nil
        let handler = exchange.backendHandler
        exchange.backendHandler = nil
        exchange.reusedConnection = false
        guard park, settings.serverReuse == .safe, let server, let handler, backend.isActive else {
            handler?.detach()
            backend.close(promise: nil)
            return
        }
        let parked = IdleServerConnections.Parked(channel: backend, handler: handler, server: server)
        if hold, !closing {
            if let held = heldServer.take() { handToIdleSet(held) }
            heldServer = parked
            handler.hold(by: self, idleTimeout: serverIdleTimeout)
        } else {
            handToIdleSet(parked)
        }
    }

    /// Parks `connection` in the pool's idle set, or closes it when it ended or the set is full.
    private func handToIdleSet(_ connection: IdleServerConnections.Parked) {
        let idle = route.pool.idleConnections
        let handler = connection.handler.value
        guard connection.channel.isActive, idle.park(connection) else {
            handler.detach()
            connection.channel.close(promise: nil)
            return
        }
        handler.park(in: idle, server: connection.server, idleTimeout: serverIdleTimeout)
    }

    /// The held server connection ended (the server closed it, sent something unasked, or it
    /// waited too long).
    func heldServerEnded(_ handler: HTTPBackendHandler) {
        if heldServer?.handler.value === handler { heldServer = nil }
    }

    /// Counts a server's final response for the listener and the server.
    private func countResponse(_ status: Int, from exchange: HTTPExchange) {
        route.traffic.responses.count(status: status)
        exchange.lease?.traffic.responses.count(status: status)
    }

    /// The time now when access lines are written (the exchange's timings are for them only), else nil.
    private func timestamp() -> NIODeadline? {
        logsAccess ? .now() : nil
    }

    /// Logs the access line at info, formatting it only when info is logged.
    private func logAccess(_ exchange: HTTPExchange) {
        guard logsAccess else { return }
        let line = exchange.accessLog(
            client: clientText, listener: route.config.name, pool: route.pool.config.name, now: .now()
        ).line
        var metadata = record?.metadata ?? [:]
        metadata["server"] = exchange.server.map { "\($0)" }
        logger.info("\(line)", metadata: metadata)
    }
}
