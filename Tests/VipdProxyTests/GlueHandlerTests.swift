import NIOCore
import NIOEmbedded
import XCTest

@testable import VipdProxy

/// Records the outbound operations that reach the head of a pipeline (after the glue).
private final class OutboundRecorder: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer

    var reads = 0
    var closeModes: [CloseMode] = []

    func read(context: ChannelHandlerContext) {
        reads += 1
        context.read()
    }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        closeModes.append(mode)
        if mode == .all {
            context.close(mode: mode, promise: promise)
        } else {
            promise?.succeed(())
        }
    }
}

/// Holds the writes that reach it until `release()`, as a socket whose peer does not read yet.
private final class WriteHolder: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer

    private var held: [(data: NIOAny, promise: EventLoopPromise<Void>?)] = []
    private var context: ChannelHandlerContext?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        held.append((data, promise))
    }

    /// Passes every held write on, flushed.
    func release() {
        for write in held { context?.write(write.data, promise: write.promise) }
        held = []
        context?.flush()
    }
}

final class GlueHandlerTests: XCTestCase {
    private var loop: EmbeddedEventLoop!
    private var client: EmbeddedChannel!
    private var server: EmbeddedChannel!
    private var clientRecorder: OutboundRecorder!
    private var serverRecorder: OutboundRecorder!
    private var record: ConnectionRecord!

    override func setUp() async throws {
        loop = EmbeddedEventLoop()
        client = EmbeddedChannel(loop: loop)
        server = EmbeddedChannel(loop: loop)
        clientRecorder = OutboundRecorder()
        serverRecorder = OutboundRecorder()
        record = ConnectionRecord(client: nil, listener: "ssh", pool: "ssh", acceptedAt: .now())
        let glue = GlueHandler.matchedPair(record: record, idleTimeout: nil)
        try client.pipeline.syncOperations.addHandlers([clientRecorder, glue.client])
        try server.pipeline.syncOperations.addHandlers([serverRecorder, glue.server])
    }

    private func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    func testBytesAreForwardedBothWaysUnchangedAndCounted() throws {
        try client.writeInbound(buffer("SSH-2.0-OpenSSH_9.2\r\n"))
        XCTAssertEqual(try server.readOutbound(as: ByteBuffer.self), buffer("SSH-2.0-OpenSSH_9.2\r\n"))
        try server.writeInbound(buffer("SSH-2.0-server\r\nmore"))
        XCTAssertEqual(try client.readOutbound(as: ByteBuffer.self), buffer("SSH-2.0-server\r\nmore"))
        XCTAssertEqual(record.bytesFromClient, 21)
        XCTAssertEqual(record.bytesFromServer, 20)
    }

    func testReadsAreHeldWhileThePartnerIsNotWritable() throws {
        server.isWritable = false
        server.pipeline.fireChannelWritabilityChanged()
        client.read()
        XCTAssertEqual(clientRecorder.reads, 0, "no read may be issued while the server side is full")
        server.isWritable = true
        server.pipeline.fireChannelWritabilityChanged()
        XCTAssertEqual(clientRecorder.reads, 1, "the held read is issued once the server side drains")
        client.read()
        XCTAssertEqual(clientRecorder.reads, 2)
    }

    func testEndOfClientInputShutsTheServerOutputOnly() throws {
        client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertEqual(serverRecorder.closeModes, [.output])
        XCTAssertEqual(clientRecorder.closeModes, [])
        try server.writeInbound(buffer("still flowing"))
        XCTAssertEqual(try client.readOutbound(as: ByteBuffer.self), buffer("still flowing"))
        XCTAssertEqual(record.end, .clientClosed)
    }

    func testEndOfServerInputShutsTheClientOutputOnly() throws {
        server.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertEqual(clientRecorder.closeModes, [.output])
        XCTAssertEqual(serverRecorder.closeModes, [])
        try client.writeInbound(buffer("late request"))
        XCTAssertEqual(try server.readOutbound(as: ByteBuffer.self), buffer("late request"))
        XCTAssertEqual(record.end, .serverClosed)
    }

    func testEndOfInputShutsThePartnersOutputOnlyAfterTheWritesBeforeIt() throws {
        let holder = WriteHolder()
        try server.pipeline.syncOperations.addHandler(holder, position: .after(serverRecorder))
        try client.writeInbound(buffer("last bytes"))
        client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertEqual(serverRecorder.closeModes, [], "shut down before the client's last bytes went out")
        holder.release()
        XCTAssertEqual(try server.readOutbound(as: ByteBuffer.self), buffer("last bytes"))
        XCTAssertEqual(serverRecorder.closeModes, [.output])
    }

    /// NIO closes a channel whose output is shut when its input ends, with no `inputClosed`: the
    /// partner's queued writes still go out before its output is shut down.
    func testAClientThatEndsAfterItsOutputWasShutLeavesTheServersQueuedWrites() throws {
        let holder = WriteHolder()
        try server.pipeline.syncOperations.addHandler(holder, position: .after(serverRecorder))
        server.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        try client.writeInbound(buffer("last bytes"))
        XCTAssertNoThrow(try client.close().wait())
        XCTAssertEqual(serverRecorder.closeModes, [], "the server side closed with the client's last bytes queued")
        holder.release()
        XCTAssertEqual(try server.readOutbound(as: ByteBuffer.self), buffer("last bytes"))
        XCTAssertEqual(serverRecorder.closeModes, [.output])
    }

    func testAnErrorOnOneSideClosesBoth() throws {
        server.pipeline.fireErrorCaught(IOError(errnoCode: ECONNRESET, reason: "read"))
        XCTAssertEqual(record.end, .serverReset)
        XCTAssertFalse(client.isActive)
        XCTAssertFalse(server.isActive)
    }

    func testFullCloseOfOneSideClosesTheOther() throws {
        XCTAssertNoThrow(try client.close().wait())
        XCTAssertFalse(server.isActive)
        XCTAssertEqual(record.end, .clientClosed)
    }

    func testCleanFinish() throws {
        try client.writeInbound(buffer("x"))
        XCTAssertEqual(try server.readOutbound(as: ByteBuffer.self), buffer("x"))
        XCTAssertTrue(try server.finish().isClean)
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }
}
