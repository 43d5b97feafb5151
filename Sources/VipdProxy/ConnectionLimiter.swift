import Logging
import NIOCore

/// Sits on a listening channel: stops accepting while `maxConnections` client connections are
/// open (further clients wait in the kernel's backlog, as with haproxy's maxconn), and reports
/// accept errors such as running out of file descriptors once per interval instead of per attempt.
final class ConnectionLimiter: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let maxConnections: Int
    private let logger: Logger
    private let errorReportInterval: TimeAmount
    private var open = 0
    private var lastErrorReport: NIODeadline?
    private var suppressedErrors = 0

    init(maxConnections: Int, logger: Logger, errorReportInterval: TimeAmount = .seconds(10)) {
        self.maxConnections = maxConnections
        self.logger = logger
        self.errorReportInterval = errorReportInterval
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        open += 1
        if open >= maxConnections {
            context.channel.setOption(.autoRead, value: false).whenFailure { _ in }
            logger.warning("maxconn \(maxConnections) reached: new connections wait in the backlog")
        }
        let eventLoop = context.eventLoop
        let loopBound = NIOLoopBound((self, context), eventLoop: eventLoop)
        child.closeFuture.whenComplete { _ in
            eventLoop.execute {
                let (limiter, context) = loopBound.value
                limiter.childClosed(context: context)
            }
        }
        context.fireChannelRead(data)
    }

    private func childClosed(context: ChannelHandlerContext) {
        open -= 1
        if open == maxConnections - 1 {
            context.channel.setOption(.autoRead, value: true).whenFailure { _ in }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        let now = NIODeadline.now()
        if let last = lastErrorReport, now - last < errorReportInterval {
            suppressedErrors += 1
        } else {
            let also = suppressedErrors > 0 ? " (and \(suppressedErrors) more since the last report)" : ""
            logger.error("cannot accept new connections: \(error)\(also); established connections continue")
            lastErrorReport = now
            suppressedErrors = 0
        }
        context.fireErrorCaught(error)
    }
}
