import NIOCore

/// One half of a pair that forwards bytes between two channels on the same event loop.
///
/// Reads on one side are issued only while the partner is writable, so a slow reader caps what
/// is buffered at the partner's write high-water mark plus one read. End of input on one side
/// becomes a write shutdown on the other once the writes before it reached the kernel, so
/// half-close travels both ways. An error on either side closes both; so does a full close, except
/// of a side whose output was shut for the other's end of input: NIO closes such a channel when its
/// own input ends, and the other then flushes and shuts down as for an end of input.
final class GlueHandler: SlotListMember {
    /// Which side of the proxied connection this half reads from.
    enum Side { case client, server }

    private let side: Side
    /// The connection both halves serve.
    let record: ConnectionRecord
    /// The client channel's idle timeout, which watches the record's byte counts (for a hand-over).
    let idleTimeout: IdleTimeoutCloser?
    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?
    /// The partner's context: a read is written there without a call through the partner.
    private var partnerContext: ChannelHandlerContext?
    private var pendingRead = false
    /// The partner's channel was writable when it last said (read on each `read()`, kept here so that
    /// the check needs no call through the partner's context and channel).
    private var partnerWritable = true
    /// Bytes of the read burst under way, counted on the record when it ends.
    private var burstBytes = 0
    /// This half's channel read its end of input.
    private var inputEnded = false
    /// Set by ``pause()``: no read is asked for any more (the connection is being handed on).
    private var paused = false
    /// Reads forwarded to the partner since ``pause()`` (a read asked for before may still come).
    private(set) var forwardsSincePause = 0
    /// Where ``GluedConnections`` keeps this (client) half, -1 when it does not.
    var slotListIndex = -1
    /// The registry that keeps this (client) half while its connection is open.
    var glued: GluedConnections?

    private init(side: Side, record: ConnectionRecord, idleTimeout: IdleTimeoutCloser?) {
        self.side = side
        self.record = record
        self.idleTimeout = idleTimeout
    }

    /// A connected pair: the first half goes into the client channel, the second into the server
    /// channel; `idleTimeout` is the client channel's.
    static func matchedPair(record: ConnectionRecord, idleTimeout: IdleTimeoutCloser?) -> (client: GlueHandler, server: GlueHandler) {
        let client = GlueHandler(side: .client, record: record, idleTimeout: idleTimeout)
        let server = GlueHandler(side: .server, record: record, idleTimeout: idleTimeout)
        client.partner = server
        server.partner = client
        return (client, server)
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

    /// The other half of the pair, until this half leaves its channel.
    var partnerHalf: GlueHandler? { partner }

    /// The channel this half sits in, while it does.
    var channel: Channel? { context?.channel }

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

    /// Counts the burst's bytes on the record (and so on the server's counters) once per burst.
    private func countBurst() {
        guard burstBytes > 0 else { return }
        switch side {
        case .client: record.bytesFromClient += burstBytes
        case .server: record.bytesFromServer += burstBytes
        }
        burstBytes = 0
    }
}

extension GlueHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        partner?.partnerContext = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner?.partnerContext = nil
        self.partnerContext = nil
        self.partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        burstBytes &+= unwrapInboundIn(data).readableBytes
        guard let partnerContext else { return }
        if paused { forwardsSincePause += 1 }
        partnerContext.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard burstBytes > 0 else { return }
        countBurst()
        partnerContext?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        countBurst()
        if side == .client { glued?.remove(self, on: context.eventLoop) }
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
            countBurst()
            inputEnded = true
            record.noteEnd(side == .client ? .clientClosed : .serverClosed)
            partner?.partnerEndOfInput()
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        countBurst()
        record.noteEnd(side == .client ? .clientReset : .serverReset)
        partner?.partnerClose()
        context.close(promise: nil)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        partner?.partnerWritable = writable
        if writable {
            partner?.partnerBecameWritable()
        }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        guard !paused else { return }
        if partnerWritable, partnerContext != nil {
            context.read()
        } else {
            pendingRead = true
        }
    }
}
