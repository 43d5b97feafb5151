import NIOCore

/// What the server connection of one request reports to the client side.
enum HTTPBackendEvent {
    /// An interim response (1xx other than 101); the final one follows.
    case interim(HTTP1ResponseHead)
    /// The final response head.
    case head(HTTP1ResponseHead)
    /// Response body bytes to forward (framing included unless chunks are decoded), and the data bytes in them.
    case body(ByteBuffer, payload: Int)
    /// The response ended; `reusable` when nothing followed it that the server was not asked for.
    case end(reusable: Bool)
    /// The end of one read burst: time to flush what was written to the client.
    case readComplete
    /// The server connection can (true) or cannot (false) take more request bytes now.
    case writable(Bool)
    /// No byte from the server for the server timeout.
    case timedOut
    /// The server sent something that is not an HTTP/1.1 response.
    case failed(any Error)
    /// The connection closed (or the server stopped sending) before the response ended.
    case closed
}

/// Sits alone in a server connection's pipeline and reads its responses with `HTTP1HeadParser` and
/// `HTTP1BodyReader`. While it serves a request it hands the response to that request's client
/// side, which shares the event loop, and watches the server timeout; while the connection is
/// parked between requests (held by the client it last served, or in the pool's idle set) it
/// closes the connection on any sign from the server (a byte, a close, an error) or when it waited
/// too long, and tells its keeper when it ended. No closure is made per request: the roles name
/// their counterpart directly.
final class HTTPBackendHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// What the response reader must know of the request it answers.
    struct Request {
        /// A HEAD request's response has no body whatever its headers say.
        var isHead: Bool
        /// Hand on chunk data without the chunk framing (for an HTTP/1.0 client).
        var decodingChunks: Bool
        /// The request asks to switch protocols: a `101` answer makes the connection a tunnel.
        var asksUpgrade = false
    }

    private enum Role {
        /// Serving a request: events go to `client`; no byte for `timeout` is `.timedOut`.
        case serving(client: HTTPProxyHandler, timeout: TimeAmount)
        /// Parked, kept by the client it last served for that client's next request.
        case held(by: HTTPProxyHandler)
        /// Parked in a pool's idle set, as the connection to server `server`.
        case parked(in: IdleServerConnections, server: Int)
        case done
    }

    /// Longest response head and most fields in it (haproxy's default buffer is 16 KiB).
    static let maxResponseHeadBytes = 65536
    static let maxResponseFields = 1000

    private var role: Role
    private var request: Request
    private var context: ChannelHandlerContext?
    private var deadline: LoopDeadline?
    private var reading = false
    /// Bytes read and not handed on yet.
    private var inbound: ByteBuffer?
    private var headParser = HTTP1HeadParser(maxBytes: maxResponseHeadBytes, maxFields: maxResponseFields)
    /// The reader of the current response's body, once its head was read.
    private var body: HTTP1BodyReader?
    /// Set once the server switched protocols (`101` to an upgrade request): every byte read is
    /// handed on as it is, without the server timeout, until the server closes.
    private var tunneling = false

    /// A handler serving its first request, for `client`.
    init(timeout: TimeAmount, request: Request, client: HTTPProxyHandler) {
        role = .serving(client: client, timeout: timeout)
        self.request = request
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        deadline = LoopDeadline(on: context.eventLoop) { self.deadlinePassed() }
        if case .serving(_, let timeout) = role { deadline?.set(in: timeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.end()
        self.context = nil
    }

    /// Serves the next request on this parked connection, for `client`; false when the connection
    /// closed meanwhile.
    func serve(timeout: TimeAmount, request: Request, client: HTTPProxyHandler) -> Bool {
        switch role {
        case .held, .parked: break
        case .serving, .done: return false
        }
        guard let context, context.channel.isActive else { return false }
        role = .serving(client: client, timeout: timeout)
        self.request = request
        deadline?.set(in: timeout)
        return true
    }

    /// Parks the connection after a complete response, kept by `client` for its next request: it
    /// reads on to notice the server closing, is closed after `idleTimeout` unused, and tells
    /// `client` if it ends meanwhile.
    func hold(by client: HTTPProxyHandler, idleTimeout: TimeAmount) {
        park(as: .held(by: client), idleTimeout: idleTimeout)
    }

    /// Parks the connection in `idle` as a connection to server `server` (after a response, or when
    /// its client lets go of it), leaving it there if it ends meanwhile. A connection moved from its
    /// client keeps the idle time it had.
    func park(in idle: IdleServerConnections, server: Int, idleTimeout: TimeAmount) {
        park(as: .parked(in: idle, server: server), idleTimeout: idleTimeout)
    }

    private func park(as parked: Role, idleTimeout: TimeAmount) {
        guard context != nil else { return }
        if case .serving = role { deadline?.set(in: idleTimeout) }
        role = parked
        setReading(true)
    }

    /// Ends the current role without a word to anyone (before the connection is closed on purpose).
    func detach() {
        role = .done
    }

    /// Writes request bytes toward the server from this handler's place in the pipeline (cheaper than
    /// a write through the channel, which starts at the pipeline's tail and boxes a generic value).
    func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    /// Sends what was written to the server.
    func flush() {
        context?.flush()
    }

    /// Turns reading from the server on or off (autoRead), touching the channel only on a change;
    /// a new server connection starts without reading.
    func setReading(_ on: Bool) {
        guard on != reading, let context else { return }
        reading = on
        try? context.channel.syncOptions?.setOption(.autoRead, value: on)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch role {
        case .serving(let client, _) where tunneling:
            let bytes = unwrapInboundIn(data)
            client.backendEvent(.body(bytes, payload: bytes.readableBytes), from: self)
        case .serving:
            inbound.append(unwrapInboundIn(data))
            readResponse(context: context)
            // The server timeout counts from this byte on, unless the response ended with it (the
            // connection was then parked with its idle timeout, or serves the next request).
            if case .serving(_, let timeout) = role, !tunneling { deadline?.set(in: timeout) }
        case .held, .parked:
            context.close(promise: nil)  // a server may not speak unasked: the connection is not reusable
        case .done:
            break
        }
    }

    /// Hands on as much of the response as `inbound` holds.
    private func readResponse(context: ChannelHandlerContext) {
        guard var buffer = inbound else { return }
        inbound = nil
        do {
            while case .serving(let client, _) = role {
                if var reader = body {
                    let piece = try reader.read(from: &buffer)
                    body = reader
                    guard let piece else { break }
                    if piece.bytes.readableBytes > 0 { client.backendEvent(.body(piece.bytes, payload: piece.payload), from: self) }
                    if piece.ended {
                        body = nil
                        // What follows the response was never asked for: the connection is not used again.
                        client.backendEvent(.end(reusable: buffer.readableBytes == 0), from: self)
                        return
                    }
                } else {
                    guard let head = try headParser.take(from: &buffer) else { break }
                    let response = try HTTP1ResponseHead(head, requestMethodIsHead: request.isHead)
                    if response.isInterim {
                        client.backendEvent(.interim(response), from: self)
                        continue
                    }
                    if response.status == 101, request.asksUpgrade {
                        tunneling = true
                        deadline?.cancel()
                        client.backendEvent(.head(response), from: self)
                        if buffer.readableBytes > 0 {
                            client.backendEvent(.body(buffer, payload: buffer.readableBytes), from: self)
                        }
                        return
                    }
                    body = HTTP1BodyReader(framing: response.framing, decodingChunks: request.decodingChunks)
                    client.backendEvent(.head(response), from: self)
                }
            }
        } catch {
            deliver(.failed(error))
            context.close(promise: nil)
            return
        }
        if case .serving = role, buffer.readableBytes > 0 { inbound = buffer }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliver(.readComplete)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        deliver(.writable(context.channel.isWritable))
    }

    /// Hands `event` to the client being served, if any.
    private func deliver(_ event: HTTPBackendEvent) {
        if case .serving(let client, _) = role { client.backendEvent(event, from: self) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else {
            context.fireUserInboundEventTriggered(event)
            return
        }
        // The server sends nothing more: a body framed by the close ends here, anything else failed.
        serverStoppedSending()
        context.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        deliver(.failed(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        serverStoppedSending()
    }

    /// The server closed its side: ends a response framed by the close, reports `.closed` for any
    /// other response in progress, and has a parked connection forgotten by its keeper.
    private func serverStoppedSending() {
        let ended = role
        role = .done
        switch ended {
        case .serving(let client, _):
            if tunneling {
                client.backendEvent(.end(reusable: false), from: self)
            } else if var reader = body, reader.connectionClosed() {
                body = nil
                client.backendEvent(.end(reusable: false), from: self)
            } else {
                client.backendEvent(.closed, from: self)
            }
        case .held(let client): client.heldServerEnded(self)
        case .parked(let idle, let server): if let context { idle.remove(context.channel, server: server) }
        case .done: break
        }
    }

    /// The server timeout ran out while serving (no byte since the last read), or the idle timeout while parked.
    private func deadlinePassed() {
        switch role {
        case .serving(let client, _): client.backendEvent(.timedOut, from: self)
        case .held, .parked: context?.close(promise: nil)
        case .done: break
        }
    }
}
