import NIOCore
import NIOPosix

/// Echoes every byte back, prefixed once with the backend's name when `greeting` is set.
final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let greeting: String?

    init(greeting: String? = nil) {
        self.greeting = greeting
    }

    func channelActive(context: ChannelHandlerContext) {
        if let greeting {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: greeting)), promise: nil)
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.writeAndFlush(data, promise: nil)
    }
}

/// A loopback TCP server for the proxy to forward to.
struct TestBackend {
    let channel: Channel

    var port: Int { channel.localAddress!.port! }

    /// An echo server on 127.0.0.1 (or `host`), optionally greeting each connection with `greeting`.
    static func echo(group: any EventLoopGroup, host: String = "127.0.0.1", greeting: String? = nil) async throws -> TestBackend {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler(greeting: greeting)) }
            }
            .bind(host: host, port: 0).get()
        return TestBackend(channel: channel)
    }

    func close() async {
        try? await channel.close()
    }
}
