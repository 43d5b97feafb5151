import NIOCore
import NIOPosix
import VipdCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The state of one check run, confined to its event loop: completes the outcome exactly once,
/// owns the whole-check timeout and the channel.
final class ProbeState {
    let eventLoop: any EventLoop
    let timeout: Duration
    private let promise: EventLoopPromise<CheckOutcome>
    private let started: NIODeadline
    private var timeoutTask: Scheduled<Void>?
    private(set) var isFinished = false
    /// Set once the connection is established.
    var isConnected = false
    var channel: (any Channel)?
    /// The failure detail when the whole-check timeout fires after the connect succeeded;
    /// set by the kind's handler (e.g. `no SSH banner within 2000 ms`).
    var detailOnTimeout: () -> String

    init(eventLoop: any EventLoop, timeout: Duration) {
        self.eventLoop = eventLoop
        self.timeout = timeout
        self.promise = eventLoop.makePromise(of: CheckOutcome.self)
        self.started = .now()
        let text = timeout.millisecondsText
        self.detailOnTimeout = { "no response within \(text)" }
    }

    var future: EventLoopFuture<CheckOutcome> { promise.futureResult }

    var elapsed: Duration {
        .nanoseconds((NIODeadline.now() - started).nanoseconds)
    }

    func armTimeout(_ body: @escaping @Sendable () -> Void) {
        timeoutTask = eventLoop.scheduleTask(in: TimeAmount(timeout), body)
    }

    func finish(passed: Bool, detail: String) {
        guard !isFinished else { return }
        isFinished = true
        timeoutTask?.cancel()
        timeoutTask = nil
        promise.succeed(CheckOutcome(passed: passed, detail: detail, duration: elapsed))
    }

    /// Called when the whole-check time is up.
    func timedOut() {
        guard !isFinished else { return }
        let detail = isConnected ? detailOnTimeout() : "connection timed out after \(timeout.millisecondsText)"
        finish(passed: false, detail: detail)
        channel?.close(promise: nil)
    }
}

/// How the kinds differ: what to add to the pipeline, what to do once connected.
struct ProbeKind: Sendable {
    /// Adds the kind's handler (on the event loop); nil for a plain connect check.
    var makeHandler: (@Sendable (ProbeState) -> any ChannelHandler)?
    /// Runs on the event loop once the connect succeeded.
    var connected: @Sendable (ProbeState, any Channel) -> Void
}

/// Runs one probe: connect (with connectTimeout = timeout), the kind's exchange, and a scheduled
/// timeout for the whole check. The returned future never fails.
func runProbe(
    endpoint: SocketEndpoint, source: TransparentSource?, timeout: Duration, eventLoop: any EventLoop, kind: ProbeKind
) -> EventLoopFuture<CheckOutcome> {
    if eventLoop.inEventLoop {
        return startProbe(endpoint: endpoint, source: source, timeout: timeout, eventLoop: eventLoop, kind: kind)
    }
    return eventLoop.flatSubmit {
        startProbe(endpoint: endpoint, source: source, timeout: timeout, eventLoop: eventLoop, kind: kind)
    }
}

private func startProbe(
    endpoint: SocketEndpoint, source: TransparentSource?, timeout: Duration, eventLoop: any EventLoop, kind: ProbeKind
) -> EventLoopFuture<CheckOutcome> {
    let state = ProbeState(eventLoop: eventLoop, timeout: timeout)
    let address: SocketAddress
    do {
        address = try SocketAddress(ipAddress: endpoint.address.text, port: endpoint.port)
    } catch {
        state.finish(passed: false, detail: "invalid address \(endpoint): \(error)")
        return state.future
    }
    let bound = NIOLoopBound(state, eventLoop: eventLoop)
    state.armTimeout { bound.value.timedOut() }
    let connectTimeout = TimeAmount(max(timeout, .milliseconds(1)))
    var bootstrap = ClientBootstrap(group: eventLoop)
        .connectTimeout(connectTimeout)
        .channelOption(.socketOption(.so_reuseaddr), value: 1)
    if let source, source.family == endpoint.address.family { bootstrap = source.configure(bootstrap) }
    bootstrap
        .channelInitializer { channel in
            let state = bound.value
            state.channel = channel
            guard let makeHandler = kind.makeHandler else { return channel.eventLoop.makeSucceededVoidFuture() }
            do {
                try channel.pipeline.syncOperations.addHandler(makeHandler(state))
                return channel.eventLoop.makeSucceededVoidFuture()
            } catch {
                return channel.eventLoop.makeFailedFuture(error)
            }
        }
        .connect(to: address)
        .whenComplete { result in
            let state = bound.value
            switch result {
            case .success(let channel):
                if state.isFinished {
                    channel.close(promise: nil)
                    return
                }
                state.isConnected = true
                state.channel = channel
                kind.connected(state, channel)
            case .failure(let error):
                state.finish(passed: false, detail: describeConnectError(error, timeout: timeout))
            }
        }
    return state.future
}

/// Words for a failed connect: `connection refused`, `connection timed out after 2000 ms`, `no route to host`, ...
/// Used by the checks and by the proxy when it connects to a server.
public func describeConnectError(_ error: any Error, timeout: Duration) -> String {
    if let channelError = error as? ChannelError, case .connectTimeout = channelError {
        return "connection timed out after \(timeout.millisecondsText)"
    }
    if let ioError = error as? IOError {
        return describeErrno(ioError.errnoCode) ?? "connect failed: \(ioError)"
    }
    if let connectionError = error as? NIOConnectionError, let first = connectionError.connectionErrors.first {
        return describeConnectError(first.error, timeout: timeout)
    }
    return "connect failed: \(error)"
}

/// Words for the errno values a check or a connect meets.
public func describeErrno(_ code: CInt) -> String? {
    switch code {
    case ECONNREFUSED: return "connection refused"
    case ECONNRESET: return "connection reset by server"
    case ETIMEDOUT: return "connection timed out"
    case EHOSTUNREACH: return "no route to host"
    case ENETUNREACH: return "network unreachable"
    case EADDRNOTAVAIL: return "address not available"
    case EPIPE: return "connection closed by server"
    default: return nil
    }
}

/// The words for an error seen on an established connection (a check's, a peer's stats request).
public func describeConnectionError(_ error: any Error) -> String {
    if let ioError = error as? IOError, let words = describeErrno(ioError.errnoCode) { return words }
    return "\(error)"
}

/// Closes a check connection without leaving the server an error to log: stops writing
/// (after `farewell`, if any), reads and discards until the server closes, then closes;
/// closes anyway after `limit`.
func closePolitely(_ channel: any Channel, farewell: [UInt8]?, limit: Duration) {
    channel.eventLoop.assertInEventLoop()
    if let farewell {
        channel.writeAndFlush(ByteBuffer(bytes: farewell), promise: nil)
    }
    // NIO shuts the socket down for writing once the pending writes are out.
    channel.close(mode: .output, promise: nil)
    let deadline = channel.eventLoop.scheduleTask(in: TimeAmount(limit)) {
        channel.close(promise: nil)
    }
    channel.closeFuture.whenComplete { _ in deadline.cancel() }
    // The default autoRead keeps reading; the kind's handler discards the data, and the
    // channel closes itself when the server's EOF arrives (allowRemoteHalfClosure is off).
}
