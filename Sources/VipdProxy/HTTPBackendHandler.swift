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

/// Sits last in a server connection's pipeline (after NIO's HTTP client codec). While it serves a
/// request it hands everything to that request's client side, which shares the event loop, and
/// watches the server timeout; while the connection is parked between requests it closes the
/// connection on any sign from the server (a byte, a close, an error) or when it waited too long.
final class HTTPBackendHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart

    private enum Role {
        /// Serving a request: events go to `deliver`; no byte for `timeout` is `.timedOut`.
        case serving(deliver: (HTTPBackendEvent) -> Void, timeout: TimeAmount)
        /// Parked between requests: `unparked` runs once when the connection ends while parked.
        case parked(unparked: () -> Void)
        case done
    }

    private var role: Role
    private var context: ChannelHandlerContext?
    private var deadline: LoopDeadline?

    /// A handler serving its first request.
    init(timeout: TimeAmount, deliver: @escaping (HTTPBackendEvent) -> Void) {
        role = .serving(deliver: deliver, timeout: timeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        deadline = LoopDeadline(on: context.eventLoop) { [weak self] in self?.deadlinePassed() }
        if case .serving(_, let timeout) = role { deadline?.set(in: timeout) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        self.context = nil
    }

    /// Serves the next request on this parked connection; false when the connection closed meanwhile.
    func serve(timeout: TimeAmount, deliver: @escaping (HTTPBackendEvent) -> Void) -> Bool {
        guard case .parked = role, let context, context.channel.isActive else { return false }
        role = .serving(deliver: deliver, timeout: timeout)
        deadline?.set(in: timeout)
        return true
    }

    /// Parks the connection after a complete response: it reads on to notice the server closing,
    /// and is closed after `idleTimeout` unused. `unparked` runs once if it ends while parked.
    func park(idleTimeout: TimeAmount, unparked: @escaping () -> Void) {
        guard let context else { return }
        role = .parked(unparked: unparked)
        deadline?.set(in: idleTimeout)
        try? context.channel.syncOptions?.setOption(.autoRead, value: true)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch role {
        case .serving(let deliver, let timeout):
            deadline?.set(in: timeout)
            deliver(.part(unwrapInboundIn(data)))
        case .parked:
            context.close(promise: nil)  // a server may not speak unasked: the connection is not reusable
        case .done:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .serving(let deliver, _) = role { deliver(.readComplete) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .serving(let deliver, _) = role { deliver(.writable(context.channel.isWritable)) }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, case .parked = role {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if case .serving(let deliver, _) = role { deliver(.failed(error)) }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        let ended = role
        role = .done
        switch ended {
        case .serving(let deliver, _): deliver(.closed)
        case .parked(let unparked): unparked()
        case .done: break
        }
    }

    /// The server timeout ran out while serving (no byte since the last read), or the idle timeout while parked.
    private func deadlinePassed() {
        switch role {
        case .serving(let deliver, _): deliver(.timedOut)
        case .parked: context?.close(promise: nil)
        case .done: break
        }
    }
}
