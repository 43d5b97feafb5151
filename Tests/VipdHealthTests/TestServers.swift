import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VipdCore
import XCTest

/// What a scripted test server does with each connection.
struct ServerScript: Sendable {
    /// Sent as soon as the connection is accepted (an SSH banner); nil: say nothing.
    var greeting: [UInt8]? = nil
    /// Sent once the request's blank line has arrived (an HTTP response); nil: say nothing.
    var response: [UInt8]? = nil
    /// Close after sending `response`.
    var closeAfterResponse = true
    /// Close right after the greeting (or at once without one).
    var closeAtOnce = false

    static func banner(_ line: String) -> ServerScript { ServerScript(greeting: Array(line.utf8)) }
    static func http(_ response: String) -> ServerScript { ServerScript(response: Array(response.utf8)) }
    static let silent = ServerScript()
}

/// What one accepted connection saw.
struct ConnectionRecord: Sendable {
    var received: [UInt8] = []
    var sawEOF = false
    var error: String? = nil
    var closed = false
}

/// A loopback TCP server on a free port that follows a ``ServerScript`` and records its connections.
final class ScriptedServer: Sendable {
    let group: any EventLoopGroup
    let script: ServerScript
    private let channel: NIOLockedValueBox<(any Channel)?> = NIOLockedValueBox(nil)
    let records: NIOLockedValueBox<[ConnectionRecord]> = NIOLockedValueBox([])
    private let boundPort = NIOLockedValueBox(0)

    init(group: any EventLoopGroup, script: ServerScript, port: Int = 0) throws {
        self.group = group
        self.script = script
        try listen(port: port)
    }

    var port: Int { boundPort.withLockedValue { $0 } }
    var endpoint: SocketEndpoint { SocketEndpoint(address: IPAddress("127.0.0.1")!, port: port) }

    /// (Re)opens the listener, on the same port when `port` is not 0.
    func listen(port: Int) throws {
        let records = self.records
        let script = self.script
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { child in
                let slot = records.withLockedValue { records in
                    records.append(ConnectionRecord())
                    return records.count - 1
                }
                return child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ScriptedHandler(script: script, records: records, slot: slot))
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()
        self.channel.withLockedValue { $0 = channel }
        boundPort.withLockedValue { $0 = channel.localAddress!.port! }
    }

    /// Stops listening (open connections stay).
    func closeListener() throws {
        let channel = self.channel.withLockedValue { channel -> (any Channel)? in
            defer { channel = nil }
            return channel
        }
        try channel?.close().wait()
    }

    func reopen() throws { try listen(port: port) }
}

private final class ScriptedHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let script: ServerScript
    let records: NIOLockedValueBox<[ConnectionRecord]>
    let slot: Int
    var request: [UInt8] = []
    var responded = false

    init(script: ServerScript, records: NIOLockedValueBox<[ConnectionRecord]>, slot: Int) {
        self.script = script
        self.records = records
        self.slot = slot
    }

    func channelActive(context: ChannelHandlerContext) {
        if let greeting = script.greeting {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: greeting)), promise: nil)
        }
        if script.closeAtOnce { context.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        records.withLockedValue { $0[slot].received += bytes }
        request += bytes
        if let response = script.response, !responded, request.count >= 4,
           String(decoding: request, as: UTF8.self).contains("\r\n\r\n") {
            responded = true
            let close = script.closeAfterResponse
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: response))).whenComplete { _ in
                if close { channel.close(promise: nil) }
            }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            records.withLockedValue { $0[slot].sawEOF = true }
            context.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        records.withLockedValue { $0[slot].error = "\(error)" }
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        records.withLockedValue { $0[slot].closed = true }
    }
}

/// A loopback port with nothing listening (bound once, then closed).
func closedPort(group: any EventLoopGroup) throws -> SocketEndpoint {
    let channel = try ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).wait()
    let port = channel.localAddress!.port!
    try channel.close().wait()
    return SocketEndpoint(address: IPAddress("127.0.0.1")!, port: port)
}

/// Polls `condition` every 10 ms until it holds or `timeout` passes.
func waitUntil(timeout: Duration = .seconds(10), _ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        if condition() { return true }
        Thread.sleep(forTimeInterval: 0.01)
    }
    return condition()
}
