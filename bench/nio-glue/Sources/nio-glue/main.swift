// nio-glue LISTEN_PORT SERVER_PORT: on 127.0.0.1, one server connection per client connection,
// bytes passed both ways on the client's event loop, one event loop per CPU. No limits, timeouts,
// counters or backpressure: the floor under any proxy built on NIO's channels.
import NIOCore
import NIOPosix

/// One side of a glued pair: what it reads goes to its partner's channel, flushed once per read burst.
final class GlueSide: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    var partner: GlueSide?
    private var context: ChannelHandlerContext?
    private var wrotePartner = false

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.context?.write(data, promise: nil)
        wrotePartner = true
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard wrotePartner else { return }
        wrotePartner = false
        partner?.context?.flush()
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.context?.close(promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let listenPort = Int(arguments[1]), let serverPort = Int(arguments[2]) else {
    fatalError("usage: nio-glue LISTEN_PORT SERVER_PORT")
}
let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
let server = try SocketAddress(ipAddress: "127.0.0.1", port: serverPort)
let listener = try ServerBootstrap(group: group)
    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
    .childChannelInitializer { client in
        // The client is read only once this future completes, so nothing arrives before its partner exists.
        let clientSide = GlueSide()
        let serverSide = GlueSide()
        clientSide.partner = serverSide
        serverSide.partner = clientSide
        let sides = NIOLoopBound((client: clientSide, server: serverSide), eventLoop: client.eventLoop)
        return ClientBootstrap(group: client.eventLoop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(sides.value.server) }
            }
            .connect(to: server)
            .flatMapThrowing { _ in try client.pipeline.syncOperations.addHandler(sides.value.client) }
    }
    .bind(host: "127.0.0.1", port: listenPort)
    .wait()
try listener.closeFuture.wait()
