import NIOCore

/// Closes a client connection when `IdleStateHandler` reports no byte either way for the idle timeout.
/// (Reads from the client channel are client-to-server traffic, writes to it server-to-client, so
/// one handler on the client channel sees both directions.)
final class IdleTimeoutCloser: ChannelInboundHandler {
    typealias InboundIn = NIOAny

    private let record: ConnectionRecord

    init(record: ConnectionRecord) {
        self.record = record
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .all {
            record.noteEnd(.idleTimeout)
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }
}
