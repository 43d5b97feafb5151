import Logging
import NIOCore

/// One control connection in the daemon: checks the peer (root or vipd's own user), reads one
/// request line, answers it through `respond` and closes.
final class ControlConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum Peer {
        case unchecked, allowed, refused
    }

    private let respond: @Sendable (ControlRequest) async -> ControlResponse
    private let logger: Logger
    private var peer = Peer.unchecked
    private var received: [UInt8] = []
    private var answered = false

    init(logger: Logger, respond: @escaping @Sendable (ControlRequest) async -> ControlResponse) {
        self.respond = respond
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        let channel = context.channel
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        PeerCredentials.of(channel).hop(to: context.eventLoop).whenComplete { result in
            handler.value.peerIdentified(result, channel: channel)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        var buffer = unwrapInboundIn(data)
        received += buffer.readBytes(length: buffer.readableBytes) ?? []
        handleRequestIfComplete(channel: context.channel)
    }

    private func peerIdentified(_ result: Result<PeerCredentials, any Error>, channel: any Channel) {
        switch result {
        case .success(let credentials) where credentials.isAllowed:
            peer = .allowed
            handleRequestIfComplete(channel: channel)
            return
        case .success(let credentials):
            logger.warning("control socket: refused uid \(credentials.uid) (pid \(credentials.pid)): root only")
        case .failure(let error):
            logger.warning("control socket: refused a peer that cannot be identified: \(error)")
        }
        peer = .refused
        handleRequestIfComplete(channel: channel)
    }

    /// Once the peer is known and a whole line is in: decode it and answer. A refused peer is
    /// answered only after its request arrived (closing with unread data would reset the
    /// connection before the refusal is read).
    private func handleRequestIfComplete(channel: any Channel) {
        guard peer != .unchecked, !answered else { return }
        guard let end = received.firstIndex(of: UInt8(ascii: "\n")) else {
            if received.count > ControlWire.maximumLineLength {
                answer(.failure(ControlError("control request longer than \(ControlWire.maximumLineLength) bytes")), on: channel)
            }
            return
        }
        guard peer == .allowed else {
            answer(.failure(ControlError("permission denied: the vipd control socket is for root only")), on: channel)
            return
        }
        let request: ControlRequest
        do {
            request = try ControlWire.decode(ControlRequest.self, from: Array(received[..<end]))
        } catch {
            answer(.failure(error), on: channel)
            return
        }
        if let problem = ControlWire.versionProblem(of: request) {
            answer(.failure(problem), on: channel)
            return
        }
        answered = true
        logger.info("control: \(request.command.name)\(request.command.target.map { " \($0)" } ?? "")")
        let respond = respond
        channel.eventLoop.makeFutureWithTask { await respond(request) }.whenSuccess { response in
            Self.write(response, on: channel)
        }
    }

    private func answer(_ response: ControlResponse, on channel: any Channel) {
        answered = true
        Self.write(response, on: channel)
    }

    /// Writes `response` as one line and closes the connection.
    private static func write(_ response: ControlResponse, on channel: any Channel) {
        let line = ControlWire.line(response)
        var buffer = channel.allocator.buffer(capacity: line.count)
        buffer.writeBytes(line)
        channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
    }
}
