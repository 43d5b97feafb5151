import Logging
import NIOConcurrencyHelpers
import NIOCore

/// A listening socket whose accepting an ``AcceptGate`` turns on and off (from any thread).
protocol AcceptingSocket: Sendable {
    func setAccepting(_ accepting: Bool)
}

/// The connection budget of one listener, shared by its listening sockets (one per event loop):
/// while `maxConnections` client connections are open, every socket stops accepting and further
/// clients wait in the kernel's backlog (haproxy's maxconn). Also reports accept errors, such as
/// running out of file descriptors, once per interval instead of once per attempt.
final class AcceptGate: Sendable {
    private struct State {
        var open = 0
        var sockets: [any AcceptingSocket] = []
        var lastErrorReport: NIODeadline?
        var suppressedErrors = 0
    }

    private let maxConnections: Int
    private let logger: Logger
    private let errorReportInterval: TimeAmount
    private let state = NIOLockedValueBox(State())

    init(maxConnections: Int, logger: Logger, errorReportInterval: TimeAmount = .seconds(10)) {
        self.maxConnections = maxConnections
        self.logger = logger
        self.errorReportInterval = errorReportInterval
    }

    /// Adds a listening socket whose accepting this gate controls.
    func register(_ socket: any AcceptingSocket) {
        state.withLockedValue { $0.sockets.append(socket) }
    }

    /// Counts an accepted connection; call ``release()`` when it closes.
    func admit() {
        let sockets: [any AcceptingSocket]? = state.withLockedValue { state in
            state.open += 1
            return state.open == maxConnections ? state.sockets : nil
        }
        if let sockets {
            logger.warning("maxconn \(maxConnections) reached: new connections wait in the backlog")
            for socket in sockets { socket.setAccepting(false) }
        }
    }

    /// A connection counted by ``admit()`` closed.
    func release() {
        let sockets: [any AcceptingSocket]? = state.withLockedValue { state in
            state.open -= 1
            return state.open == maxConnections - 1 ? state.sockets : nil
        }
        for socket in sockets ?? [] { socket.setAccepting(true) }
    }

    /// Logs an accept error unless one was logged less than the report interval ago.
    func reportAcceptError(_ error: any Error) {
        let now = NIODeadline.now()
        let suppressed: Int? = state.withLockedValue { state in
            if let last = state.lastErrorReport, now - last < errorReportInterval {
                state.suppressedErrors += 1
                return nil
            }
            defer { state.lastErrorReport = now; state.suppressedErrors = 0 }
            return state.suppressedErrors
        }
        guard let suppressed else { return }
        let also = suppressed > 0 ? " (and \(suppressed) more since the last report)" : ""
        logger.error("cannot accept new connections: \(error)\(also); established connections continue")
    }
}

/// Sits on each listening socket and hands accepted connections and accept errors to the gate.
final class AcceptGateHandler: ChannelInboundHandler {
    typealias InboundIn = Channel
    typealias InboundOut = Channel

    private let gate: AcceptGate

    init(gate: AcceptGate) {
        self.gate = gate
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        gate.admit()
        unwrapInboundIn(data).closeFuture.whenComplete { [gate] _ in gate.release() }
        context.fireChannelRead(data)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        gate.reportAcceptError(error)
        context.fireErrorCaught(error)
    }
}

/// A listening channel (HTTP mode) as the gate turns it on and off: through `autoRead`, on the
/// channel's own event loop (no promise that a loop shutting down could leave unfulfilled).
struct AcceptingChannel: AcceptingSocket {
    let channel: Channel

    func setAccepting(_ accepting: Bool) {
        let channel = channel
        channel.eventLoop.execute {
            guard channel.isActive else { return }
            try? channel.syncOptions?.setOption(.autoRead, value: accepting)
        }
    }
}
