import NIOCore

/// Closes a client connection after the listener's idle timeout without a byte either way. Reads
/// from the client channel are client-to-server traffic, writes to it server-to-client, so one
/// handler on the client channel sees both directions.
///
/// Activity is noted per read burst and per flush on a `LoopDeadline`, so the hot path neither
/// schedules a task nor (unlike NIO's `IdleStateHandler`) allocates a promise per write.
final class IdleTimeoutCloser: ChannelDuplexHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let record: ConnectionRecord
    private let timeout: TimeAmount
    private var deadline: LoopDeadline?

    init(record: ConnectionRecord, timeout: Duration) {
        self.record = record
        self.timeout = TimeAmount(timeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let record = record
        let deadline = LoopDeadline(on: context.eventLoop) {
            record.noteEnd(.idleTimeout)
            context.close(promise: nil)
        }
        deadline.set(in: timeout)
        self.deadline = deadline
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.end()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deadline?.set(in: timeout)
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        deadline?.set(in: timeout)
        context.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        context.fireChannelInactive()
    }
}
