import NIOCore

/// One half of a pair that forwards bytes between two channels on the same event loop.
///
/// Reads on one side are issued only while the partner is writable, so a slow reader caps what
/// is buffered at the partner's write high-water mark plus one read. End of input on one side
/// becomes a write shutdown on the other once the writes before it reached the kernel, so
/// half-close travels both ways. An error on either side closes both; so does a full close, except
/// of a side whose output was shut for the other's end of input: NIO closes such a channel when its
/// own input ends, and the other then flushes and shuts down as for an end of input.
final class GlueHandler {
    /// Which side of the proxied connection this half reads from.
    enum Side { case client, server }

    private let side: Side
    private let record: ConnectionRecord
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    private var pendingRead = false
    /// This half's channel read its end of input.
    private var inputEnded = false
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

    /// Shuts the output down once everything written before reached the kernel: NIO turns an output
    /// shutdown on a channel whose input already ended into a full close, which drops queued writes.
    private func partnerEndOfInput() {
        guard let channel = context?.channel, let flushed = writesFlushed() else { return }
        flushed.whenComplete { _ in channel.close(mode: .output, promise: nil) }
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
        if partner?.inputEnded == true {
            // This output was shut for the partner's end of input, and NIO closes a channel whose output
            // is shut when its input ends, without an `inputClosed`: the partner still has its writes to finish.
            if !inputEnded { partner?.partnerEndOfInput() }
        } else {
            partner?.partnerClose()
        }
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed {
            inputEnded = true
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
