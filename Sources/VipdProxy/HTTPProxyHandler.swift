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
    /// The request being served (what it forwards, and what its access line will say); nil between requests.
    private var exchange: HTTPExchange?
    /// Every decision on the connection: what to do with each request, response and failure.
    private var machine: HTTPConnectionStateMachine
    /// The server connection of the last response while this client stays: its next request takes
    /// it back when the balancer picks the same server, without the pool's idle set and its lock.
    /// It goes to the idle set when another server is picked or the client leaves.
    private(set) var heldServer: IdleServerConnections.Parked?
    /// The request timeout: the next request head must arrive before it.
    private var requestDeadline: LoopDeadline?
    /// The listener's idle timeout: moved on by every read burst from the client and every flush to
    /// it, so it runs out only when no byte moved either way (kept here rather than in a separate
    /// handler: this handler is the only one that writes to the client).
    private var idleDeadline: LoopDeadline?
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
        self.machine = HTTPConnectionStateMachine(
            reusesServerConnections: settings.serverReuse == .safe, maxRetries: route.config.retries)
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
        if let held = heldServer.take() { handToIdleSet(held) }
        run(machine.clientClosed(hasWaitingRequestBytes: hasWaitingRequestBytes), for: exchange, context: context)
        context.fireChannelInactive()
    }

    // MARK: The request

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !machine.isClosing else { return }
        inbound.append(unwrapInboundIn(data))
        readRequests(context: context)
    }

    /// Handles what `inbound` holds: the current request's body, then the next request head once the
    /// current response is complete. Stops reading the client while too many bytes wait.
    private func readRequests(context: ChannelHandlerContext) {
        guard var buffer = inbound else { return }
        inbound = nil
        if machine.isTunnelling, let exchange {
            forwardThroughTunnel(buffer, of: exchange)
            return
        }
        do {
            while !machine.isClosing, buffer.readableBytes > 0 || body?.isEnded == true {
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
                    guard machine.awaitsHead else { break }  // pipelined: waits for the current response
                    if TLSHandshakeDetection.startsWithHandshake(buffer) {
                        run(machine.tlsHandshakeReceived(), for: exchange, context: context)
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
        guard !machine.isClosing, buffer.readableBytes > 0 else { return }
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
        var forwarded = Self.buffer(
            reusing: &spareRequestBuffer, capacity: request.head.bytes.readableBytes + 128, context: context)
        HTTPForwardedHeaders.writeRequest(request, clientAddress: clientAddress, settings: settings, into: &forwarded)
        Self.keep(forwarded, as: &spareRequestBuffer)
        switch HTTPRequestValidation.framing(of: request, maxBodyBytes: settings.maxBodyBytes) {
        case .success(let framing):
            let exchange = HTTPExchange(request: request, forwarded: forwarded, framing: framing, startedAt: timestamp())
            self.exchange = exchange
            body = HTTP1BodyReader(framing: framing, maxPayload: settings.maxBodyBytes)
            run(
                machine.headReceived(
                    keepAlive: exchange.clientKeepsAlive, asksUpgrade: exchange.asksUpgrade, clientMinorVersion: exchange.clientMinorVersion,
                    mayUseParkedConnection: exchange.mayUseParkedConnection), for: exchange, context: context)
        case .failure(let rejection):
            exchange = HTTPExchange(request: request, forwarded: forwarded, framing: .none, startedAt: timestamp())
            run(machine.headRejected(), for: exchange, context: context, rejection: rejection)
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
        machine.requestEnded()
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
        run(machine.requestUnreadable(), for: exchange, context: context, rejection: rejection)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            run(machine.clientInputEnded(), for: exchange, context: context)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard !machine.isClosing else { return }
        logger.notice("\(clientText) \(route.config.name): \(error); closing", metadata: record?.metadata ?? [:])
        run(machine.clientFailed(), for: exchange, context: context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        exchange?.backendHandler?.setReading(context.channel.isWritable)
        context.fireChannelWritabilityChanged()
    }

    // MARK: The server

    private func connectServer(for exchange: HTTPExchange, reusingIdle: Bool) {
        guard let context, let record else { return }
        let retriesBefore = record.retries
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
        guard self.exchange === exchange, let context else { return }
        let failure = error as? ServerConnector.Failure
        run(machine.connectFailed(noServer: failure?.end == .noServer), for: exchange, context: context, detail: failure?.detail ?? "\(error)")
    }

    /// Gives `exchange` the server connection `connected`, to send the request on (`sendRequest`).
    private func attach(_ connected: ServerConnector.Connected, to exchange: HTTPExchange) {
        var lease = ServerLease(pool: route.pool, pick: connected.pick)
        guard self.exchange === exchange, let context else {  // a request answered meanwhile
            lease.end()
            connected.channel.close(promise: nil)
            return
        }
        exchange.backend = connected.channel
        exchange.lease = lease
        exchange.backendHandler = connected.parkedHandler?.value
        run(machine.serverAttached(reused: connected.parkedHandler != nil), for: exchange, context: context)
    }

    /// Sends the request of `exchange` on its server connection just attached (a parked one, or a new
    /// one that gets its handler now).
    private func sendRequest(_ exchange: HTTPExchange, context: ChannelHandlerContext) {
        guard let backend = exchange.backend else { return }
        exchange.server = exchange.lease?.pick.server.name
        exchange.connectedAt = timestamp()
        let timeout = serverTimeout
        let request = HTTPBackendHandler.Request(
            isHead: exchange.method == .HEAD, decodingChunks: exchange.clientMinorVersion == 0, asksUpgrade: exchange.asksUpgrade)
        if let parked = exchange.backendHandler {
            guard parked.serve(timeout: timeout, request: request, client: self) else {
                // It closed after it was taken: the request goes out on a new connection.
                run(machine.parkedConnectionClosed(), for: exchange, context: context)
                return
            }
        } else {
            do {
                let handler = HTTPBackendHandler(timeout: timeout, request: request, client: self)
                try backend.pipeline.syncOperations.addHandler(handler)
                exchange.backendHandler = handler
            } catch {
                run(machine.serverSetupFailed(), for: exchange, context: context, detail: "\(error)")
                return
            }
        }
        guard let handler = exchange.backendHandler else { return }
        handler.write(exchange.forwarded)
        for part in exchange.bodyParts {
            exchange.lease?.traffic.addBytesFromClient(part.readableBytes)
            handler.write(part)
        }
        exchange.sent()
        handler.flush()
        handler.setReading(context.channel.isWritable)
    }

    /// What the server connection of the current request reports; events of a connection this
    /// client let go of meanwhile are ignored.
    func backendEvent(_ event: HTTPBackendEvent, from handler: HTTPBackendHandler) {
        guard let exchange, exchange.backendHandler === handler, !machine.isClosing, let context else { return }
        switch event {
        case .interim(let response):
            // 100 Continue, 103 Early Hints: passed on to HTTP/1.1 clients, the final response follows.
            guard machine.passesInterimResponses else { return }
            var head = context.channel.allocator.buffer(capacity: response.head.bytes.readableBytes)
            HTTPForwardedHeaders.writeResponse(
                response, clientMinorVersion: 1, keepAlive: true, decodingChunks: false, into: &head)
            writeClient(head, context: context)
            flushClient(context: context)
        case .head(let response):
            // Carried out here, where the head is at hand.
            let action = machine.responseHeadReceived(
                status: response.status, keepsConnection: response.isKeepAlive, framing: response.framing,
                hasWaitingRequestBytes: halfClosedWithWaitingRequestBytes)
            guard case .forward(let keepAlive) = action else {
                if action == .switchProtocols { switchProtocols(exchange, response: response, context: context) }
                return
            }
            countResponse(response.status, from: exchange)
            exchange.responseBegan(at: timestamp(), status: response.status)
            let clientMinorVersion = exchange.clientMinorVersion
            // Room for a small body after the head: read with it, it leaves in the same write.
            var smallBody = 0
            if case .length(let length) = response.framing, length <= Self.coalescedBodyLimit { smallBody = length }
            var head = Self.buffer(
                reusing: &spareResponseBuffer, capacity: response.head.bytes.readableBytes + 32 + smallBody, context: context)
            HTTPForwardedHeaders.writeResponse(
                response, clientMinorVersion: clientMinorVersion, keepAlive: keepAlive,
                decodingChunks: response.framing == .chunked && clientMinorVersion == 0, into: &head)
            writeClient(head, holding: true, context: context)
        case .body(let bytes, let payload):
            exchange.bytesOut += payload
            exchange.lease?.traffic.addBytesFromServer(bytes.readableBytes)
            writeClient(bytes, context: context)
        case .end(let reusable):
            run(machine.responseEnded(reusable: reusable, hasWaitingRequestBytes: halfClosedWithWaitingRequestBytes), for: exchange, context: context)
        case .readComplete:
            flushClient(context: context)
        case .writable(let writable):
            setClientReading(writable, context: context)
        case .timedOut:
            run(machine.serverTimedOut(), for: exchange, context: context)
        case .failed(let error):
            exchange.error = "\(error)"
            machine.serverFailed()
        case .closed:
            let detail = exchange.error.map { "server connection failed: \($0)" } ?? "server closed the connection"
            exchange.error = nil
            run(machine.serverClosed(bodyKept: exchange.replayable, retries: exchange.retries), for: exchange, context: context, detail: detail)
        }
    }

    /// The server switched protocols: its answer goes to the client, then bytes pass both ways as they
    /// are, the client's waiting ones first.
    private func switchProtocols(_ exchange: HTTPExchange, response: HTTP1ResponseHead, context: ChannelHandlerContext) {
        countResponse(response.status, from: exchange)
        exchange.responseBegan(at: timestamp(), status: response.status)
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

    /// The response is complete: log it, and either read the next request (`keepOpen`) or close.
    private func finish(_ exchange: HTTPExchange, parkServer: Bool, keepOpen: Bool, context: ChannelHandlerContext) {
        self.exchange = nil
        letGoOfServer(exchange, park: parkServer, hold: keepOpen)
        logAccess(exchange)
        guard keepOpen else {
            sendThenClose(context.channel.allocator.buffer(capacity: 0), context: context)
            return
        }
        let now = context.eventLoop.now
        flushClient(context: context, now: now)
        requestDeadline?.set(now + requestTimeout)
        readRequests(context: context)
        if !machine.isClosing, (inbound?.readableBytes ?? 0) <= Self.pipelineLimit, context.channel.isWritable {
            setClientReading(true, context: context)
        }
        // The client sends nothing more: what waits unread is a head that cannot be completed (logged as it ends).
        run(machine.waitingRequestsRead(), for: self.exchange, context: context)
    }

    // MARK: Carrying out the decisions

    /// Does what the state machine decided about `exchange`, the current request (the caller's own
    /// reference to it, so that no action reads it again). A failure's wording comes from the event:
    /// `rejection` for a refused request, `detail` for the others.
    private func run(
        _ action: HTTPConnectionStateMachine.Action, for exchange: HTTPExchange?, context: ChannelHandlerContext,
        rejection: HTTPRejection? = nil, detail: String = ""
    ) {
        switch action {
        case .none:
            break
        case .connect(let reusingIdle):
            if let exchange { connectServer(for: exchange, reusingIdle: reusingIdle) }
        case .sendRequest:
            if let exchange { sendRequest(exchange, context: context) }
        case .dropServer:
            if let exchange { letGoOfServer(exchange, park: false) }
        case .reconnect(let resumeReading):
            guard let exchange else { return }
            letGoOfServer(exchange, park: false)
            if resumeReading { setClientReading(true, context: context) }
            connectServer(for: exchange, reusingIdle: false)
        case .retry(let reusingIdle):
            guard let exchange else { return }
            exchange.retries += 1
            exchange.lease?.traffic.retried()
            letGoOfServer(exchange, park: false)
            logger.warning(
                "\(clientText) \(route.config.name): \(route.pool.config.name)/\(exchange.server ?? "?") \(detail) before responding; sending \(exchange.method.rawValue) to the next server",
                metadata: record?.metadata ?? [:])
            setClientReading(true, context: context)
            connectServer(for: exchange, reusingIdle: reusingIdle)
        case .finish(let parkServer, let keepOpen):
            if let exchange { finish(exchange, parkServer: parkServer, keepOpen: keepOpen, context: context) }
        case .answer(let failure):
            let exchange = exchange ?? unparsedRequest()
            let (response, error, detail) = account(failure, of: exchange, rejection: rejection, detail: detail)
            answer(response, to: exchange, error: error, detail: detail)
        case .cut(let failure):
            guard let exchange else { return }
            let (_, error, detail) = account(failure, of: exchange, rejection: rejection, detail: detail)
            exchange.error = error
            let subject = if failure == .rejected { detail } else { "\(route.pool.config.name)/\(exchange.server ?? "?") \(detail)" }
            logger.warning(
                "\(clientText) \(route.config.name): \(subject) in the middle of the response; closing",
                metadata: record?.metadata ?? [:])
            close(context: context)
        case .close:
            close(context: context)
        case .closeAfterClientError:
            exchange?.error = "client-error"
            close(context: context)
        case .halfCloseServer:
            // The client sends nothing more: the server hears it, and may still answer until it closes.
            exchange?.backend?.close(mode: .output, promise: nil)
        case .abandonRequest(let cut):
            guard let exchange else { return }
            self.exchange = nil
            if let cut { exchange.error = exchange.error ?? cut.logText }
            letGoOfServer(exchange, park: false)
            logAccess(exchange)
        case .logIncompleteRequest(let cut):
            // Part of a request head read and not answered: logged as `<BADREQ>` with no status.
            route.traffic.rejectedBadRequest()
            let request = unparsedRequest()
            request.error = cut.logText
            logAccess(request)
        }
    }

    /// vipd's answer to `failure`, the access log's `error=` and the log line's detail (`rejection`'s
    /// reason, `detail`, or the timeout); counts the failure for the listener or `exchange`'s server.
    private func account(
        _ failure: HTTPConnectionStateMachine.Failure, of exchange: HTTPExchange, rejection: HTTPRejection?, detail: String
    ) -> (HTTPErrorResponse, error: String, detail: String) {
        switch failure {
        case .rejected:
            route.traffic.rejectedBadRequest()
            return (.plain(rejection?.status ?? .badRequest), "rejected", rejection?.reason ?? detail)
        case .tlsHandshake:
            // A client told `https://` for this plain listener: answered 400 at once, in plain text
            // saying why, rather than 408 at the request timeout.
            route.traffic.rejectedBadRequest()
            return (
                .plain(.badRequest, explanation: "This listener speaks plain HTTP, not HTTPS (TLS)."), "tls-handshake",
                "TLS handshake on a plain HTTP listener"
            )
        case .requestTimeout:
            route.traffic.requestTimedOut()
            return (.plain(.requestTimeout), "request-timeout", "no complete request head within \(settings.requestTimeout)")
        case .noServer:
            route.traffic.refusedForNoServer()
            return (.sorry(settings.sorryPage), "no-server", detail)
        case .connectFailed:
            return (.plain(.badGateway), "connect-failed", detail)
        case .serverClosed:
            exchange.lease?.traffic.responseFailed()
            return (.plain(.badGateway), "server-closed", detail)
        case .serverTimeout:
            exchange.lease?.traffic.timedOut()
            return (.plain(.gatewayTimeout), "server-timeout", "no response within \(settings.serverTimeout)")
        }
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

    /// Whether the client sends nothing more and request bytes wait unread: what the state machine's
    /// response decisions need of the waiting bytes (the buffer is looked at only after a half-close).
    private var halfClosedWithWaitingRequestBytes: Bool { machine.clientInputClosed && hasWaitingRequestBytes }

    /// Writes `bytes` after what was written before, flushes, and closes the connection once all is sent.
    private func sendThenClose(_ bytes: ByteBuffer, context: ChannelHandlerContext) {
        inbound = nil  // never read now: not an incomplete request to log
        let channel = context.channel
        writeHeldBytes(context: context)
        idleDeadline?.set(in: idleTimeout)
        context.writeAndFlush(wrapOutboundOut(bytes)).whenComplete { _ in channel.close(promise: nil) }
    }

    // MARK: Answers, timeouts, closing

    /// Writes `response` for `exchange`, logs why, and closes the client connection.
    private func answer(_ response: HTTPErrorResponse, to exchange: HTTPExchange, error: String, detail: String) {
        guard let context else { return }
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

    /// No request head within the request timeout (see `HTTPConnectionStateMachine.requestTimedOut`).
    private func requestTimedOut() {
        guard let context else { return }
        run(machine.requestTimedOut(hasWaitingRequestBytes: hasWaitingRequestBytes), for: exchange, context: context)
    }

    /// No byte either way for the listener's idle timeout: the connection is closed.
    private func idleTimedOut() {
        guard let context else { return }
        record?.noteEnd(.idleTimeout)
        run(machine.idleTimedOut(), for: exchange, context: context)
    }

    /// Stands for a request whose head never arrived whole, in answers and the access log.
    private func unparsedRequest() -> HTTPExchange {
        HTTPExchange(request: nil, forwarded: ByteBuffer(), framing: .none, startedAt: timestamp())
    }

    /// Closes the client connection now, letting go of the request's server connection.
    private func close(context: ChannelHandlerContext) {
        if let exchange { letGoOfServer(exchange, park: false) }
        context.close(promise: nil)
    }

    /// Ends `exchange`'s hold on its server and detaches its server connection: when `park`, kept by this client for its next request with `hold`, else parked in the pool's
    /// idle set if it has room; closed otherwise.
    private func letGoOfServer(_ exchange: HTTPExchange, park: Bool, hold: Bool = false) {
        exchange.lease?.end()
        guard let backend = exchange.backend else { return }
        exchange.backend = nil
        let server = exchange.lease?.pick.index
        exchange.lease = nil
        let handler = exchange.backendHandler
        exchange.backendHandler = nil
        guard park, let server, let handler, backend.isActive else {
            handler?.detach()
            backend.close(promise: nil)
            return
        }
        let parked = IdleServerConnections.Parked(channel: backend, handler: handler, server: server)
        if hold {
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
