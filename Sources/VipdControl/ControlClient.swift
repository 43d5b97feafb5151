import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// `vipd ctl`'s side of the control socket: sends one request and reads the one answer.
public enum ControlClient {
    /// The socket `vipd run` opens unless `global.control_socket` says otherwise (the systemd unit's
    /// `RuntimeDirectory=vipd`).
    public static let defaultSocketPath = "/run/vipd/vipd.sock"

    /// Sends `request` to the daemon at `path` and returns its answer; gives up after `timeout`.
    /// The error says what to do (no daemon, not root, a stale socket, no answer).
    public static func send(_ request: ControlRequest, to path: String, timeout: Duration) async throws(ControlError) -> ControlResponse {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let reply = loop.makePromise(of: [UInt8].self)
        let channel: any Channel
        do {
            channel = try await connect(to: path, on: loop) { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ReplyCollector(reply: reply)) }
            }
        } catch {
            reply.fail(error)
            throw error
        }
        let timer = channel.eventLoop.scheduleTask(in: TimeAmount(timeout)) {
            reply.fail(ControlError("vipd did not answer on \(path) within \(timeout)"))
            channel.close(promise: nil)
        }
        let line = ControlWire.line(request)
        var buffer = channel.allocator.buffer(capacity: line.count)
        buffer.writeBytes(line)
        // A failed write is reported only without an answer: a refusing daemon answers and closes
        // before reading the request.
        var writeError: (any Error)?
        do {
            try await channel.writeAndFlush(buffer).get()
        } catch {
            writeError = error
            channel.close(promise: nil)
        }
        let bytes: [UInt8]
        do {
            bytes = try await reply.futureResult.get()
        } catch let error as ControlError {
            throw error
        } catch {
            throw ControlError("reading vipd's answer on \(path) failed: \(error)")
        }
        timer.cancel()
        guard !bytes.isEmpty else {
            if let writeError { throw ControlError("cannot send to vipd on \(path): \(writeError)") }
            throw ControlError("vipd closed the control connection on \(path) without an answer")
        }
        return try ControlWire.decode(ControlResponse.self, from: bytes)
    }

    /// Whether a process accepts connections on `path` now.
    public static func answers(at path: String) async -> Bool {
        guard let channel = try? await connect(to: path, on: MultiThreadedEventLoopGroup.singleton.next()) else { return false }
        try? await channel.close()
        return true
    }

    private static func connect(
        to path: String, on loop: any EventLoop,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void> = { $0.eventLoop.makeSucceededVoidFuture() }
    ) async throws(ControlError) -> any Channel {
        do {
            return try await ClientBootstrap(group: loop).channelInitializer(initializer)
                .connect(unixDomainSocketPath: path).get()
        } catch let error as IOError {
            throw connectError(path: path, errno: error.errnoCode, underlying: "\(error)")
        } catch {
            throw ControlError("cannot connect to vipd on \(path): \(error)")
        }
    }

    /// The connect failure in words, with what to do.
    static func connectError(path: String, errno: Int32, underlying: String) -> ControlError {
        switch errno {
        case ENOENT:
            ControlError("no control socket at \(path): is vipd running? (vipd run opens global.control_socket, default \(defaultSocketPath); --socket names another)")
        case EACCES, EPERM:
            ControlError("permission denied on \(path): the control socket is for root only (use sudo)")
        case ECONNREFUSED:
            ControlError("nothing answers on \(path): vipd is not running (the socket file is left from an earlier run)")
        default:
            ControlError("cannot connect to vipd on \(path): \(underlying)")
        }
    }
}

/// Collects everything the daemon sends until it closes the connection.
private final class ReplyCollector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let reply: EventLoopPromise<[UInt8]>
    private var received: [UInt8] = []

    init(reply: EventLoopPromise<[UInt8]>) {
        self.reply = reply
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        if received.count > ControlWire.maximumLineLength {
            reply.fail(ControlError("vipd's answer is longer than \(ControlWire.maximumLineLength) bytes"))
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        reply.succeed(received)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        reply.fail(error)
        context.close(promise: nil)
    }
}
