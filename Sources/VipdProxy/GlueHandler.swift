import NIOCore

/// One half of a pair that forwards bytes between two channels on the same event loop.
///
/// Reads on one side are issued only while the partner is writable, so a slow reader caps what
/// is buffered at the partner's write high-water mark plus one read. End of input on one side
/// becomes a write shutdown on the other (after pending writes flush), so half-close travels
/// both ways; a full close or an error on either side closes both.
final class GlueHandler {
    /// Which side of the proxied connection this half reads from.
    enum Side { case client, server }

    private let side: Side
    private let record: ConnectionRecord
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// Set by ``pause()``: no read is asked for any more (the connection is being handed on).
    private var paused = false
    /// Writes made on this half's channel since ``pause()``.
    private(set) var writesSincePause = 0

    private init(side: Side, record: ConnectionRecord) {
        self.side = side
        self.record = record
    }

    /// A connected pair: the first half goes into the client channel, the second into the server channel.
    static func matchedPair(record: ConnectionRecord) -> (client: GlueHandler, server: GlueHandler) {
        let client = GlueHandler(side: .client, record: record)
        let server = GlueHandler(side: .server, record: record)
        client.partner = server
        server.partner = client
        return (client, server)
    }

    private func partnerWrite(_ data: NIOAny) {
        if paused { writesSincePause += 1 }
        context?.write(data, promise: nil)
    }

    /// Stops asking for reads on this half's channel. A read already asked for may still deliver
    /// one batch, which is forwarded as usual.
    func pause() {
        paused = true
        pendingRead = false
    }

    /// A future that completes once everything written on this half's channel so far reached the kernel.
    func writesFlushed() -> EventLoopFuture<Void>? {
        guard let context else { return nil }
        return context.writeAndFlush(NIOAny(context.channel.allocator.buffer(capacity: 0)))
    }

    private func partnerFlush() {
        context?.flush()
    }

    private func partnerEndOfInput() {
        context?.close(mode: .output, promise: nil)
    }

    private func partnerClose() {
        context?.close(promise: nil)
    }

    private func partnerBecameWritable() {
        if pendingRead, !paused {
            pendingRead = false
            context?.read()
        }
    }

    private var partnerIsWritable: Bool {
        context?.channel.isWritable ?? false
    }

    private func count(_ bytes: Int) {
        switch side {
        case .client: record.bytesFromClient += bytes
        case .server: record.bytesFromServer += bytes
        }
    }
}

extension GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        count(unwrapInboundIn(data).readableBytes)
        partner?.partnerWrite(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        partner?.partnerFlush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        record.noteEnd(side == .client ? .clientClosed : .serverClosed)
        partner?.partnerClose()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            record.noteEnd(side == .client ? .clientClosed : .serverClosed)
            partner?.partnerEndOfInput()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        record.noteEnd(side == .client ? .clientReset : .serverReset)
        partner?.partnerClose()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            partner?.partnerBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        guard !paused else { return }
        if let partner, partner.partnerIsWritable {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
