import NIOCore
import NIOHTTP1

/// What the server connection of one request reports to the client side.
enum HTTPBackendEvent {
    /// A decoded part of the response.
    case part(HTTPClientResponsePart)
    /// The end of one read burst: time to flush what was written to the client.
    case readComplete
    /// The server connection can (true) or cannot (false) take more request bytes now.
    case writable(Bool)
    /// No byte from the server for the server timeout.
    case timedOut
    /// The connection failed (reset, unparsable response).
    case failed(any Error)
    /// The connection closed.
    case closed
}

/// Sits last in a server connection's pipeline (after NIO's HTTP client codec and an
/// `IdleStateHandler` for the server timeout) and hands everything to the client side, which
/// shares the event loop.
final class HTTPBackendHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let deliver: (HTTPBackendEvent) -> Void

    init(deliver: @escaping (HTTPBackendEvent) -> Void) {
        self.deliver = deliver
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        deliver(.part(unwrapInboundIn(data)))
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        deliver(.readComplete)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        deliver(.writable(context.channel.isWritable))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            deliver(.timedOut)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        deliver(.failed(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deliver(.closed)
    }
}
