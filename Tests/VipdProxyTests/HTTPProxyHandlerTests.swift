import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import VipdConfig
import XCTest

@testable import VipdProxy

/// The HTTP proxy handler on EmbeddedChannels: a client channel with the real HTTP server codec,
/// and server channels handed out by a stub connector on the same event loop, so raw bytes go in
/// and raw bytes are checked coming out, with time advanced by hand. (The server timeout rests on
/// NIO's `IdleStateHandler`, which reads the real clock: HTTPModeTests covers the 504 against a
/// silent server.)
final class HTTPProxyHandlerTests: XCTestCase {
    private var loop: EmbeddedEventLoop!
    private var client: EmbeddedChannel!
    private var pool: PoolRuntime!
    /// Server channels handed out so far, in order.
    private var servers: [EmbeddedChannel] = []

    private func start(settings: HTTPListenerSettings = HTTPListenerSettings(), serversUp: Bool = true) throws {
        loop = EmbeddedEventLoop()
        let poolConfig = PoolConfig(
            name: "web",
            servers: [
                ServerConfig(name: "web0", endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 8001)),
                ServerConfig(name: "web1", endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 8002)),
            ])
        pool = PoolRuntime(config: poolConfig)
        pool.setServer(0, up: serversUp)
        pool.setServer(1, up: serversUp)
        let listener = ListenerConfig(
            name: "web", bind: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 8080), mode: .http, pool: "web",
            retries: 2, http: settings)
        let route = ListenerRoute(config: listener, pool: pool)
        let logger = Logger(label: "test")
        let connect: HTTPProxyHandler.Connect = { [unowned self] key, record, loop in
            guard let pick = pool.pick(clientKey: key, excluding: []) else {
                return loop.makeFailedFuture(ServerConnector.Failure(end: .noServer, detail: "pool web has no server available"))
            }
            record.server = pick.server.name
            let server = EmbeddedChannel(loop: self.loop)
            servers.append(server)
            return server.connect(to: try! SocketAddress(ipAddress: "127.0.0.1", port: pick.server.endpoint.port)).map {
                (server, pick)
            }
        }
        client = EmbeddedChannel(loop: loop)
        try HTTPProxyHandler.addHandlers(
            to: client, handler: HTTPProxyHandler(route: route, logger: logger, connect: connect), settings: settings,
            idleTimeout: .seconds(3600))
        // connect() sets the remote address: the client's address is set after it.
        try client.connect(to: SocketAddress(ipAddress: "192.0.2.10", port: 40000)).wait()
    }

    private func clientSends(_ text: String) throws {
        try client.writeInbound(ByteBuffer(string: text))
    }

    /// Everything written to `channel` so far, as text.
    private func written(by channel: EmbeddedChannel) throws -> String {
        var text = ""
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) {
            text += String(buffer: buffer)
        }
        return text
    }

    private func serverAnswers(_ index: Int, _ text: String) throws {
        try servers[index].writeInbound(ByteBuffer(string: text))
    }

    func testForwardsWithForwardedHeadersAndKeepsTheClientConnection() throws {
        try start()
        try clientSends("GET /a?b=1 HTTP/1.1\r\nHost: vip.example\r\nX-Forwarded-For: 198.51.100.1\r\nKeep-Alive: timeout=5\r\n\r\n")
        XCTAssertEqual(servers.count, 1)
        let request = try written(by: servers[0])
        XCTAssertTrue(request.hasPrefix("GET /a?b=1 HTTP/1.1\r\n"), request)
        XCTAssertTrue(request.contains("Host: vip.example\r\n"), request)
        XCTAssertTrue(request.contains("X-Forwarded-For: 198.51.100.1, 192.0.2.10\r\n"), request)
        XCTAssertTrue(request.contains("Connection: close\r\n"), request)
        XCTAssertFalse(request.contains("Keep-Alive"), request)

        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\nX-Served-By: web0\r\n\r\nhello")
        let response = try written(by: client)
        XCTAssertEqual(response, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Served-By: web0\r\n\r\nhello")
        XCTAssertFalse(servers[0].isActive, "the server connection is closed after each response")
        XCTAssertTrue(client.isActive, "the client connection is kept")

        try clientSends("GET /next HTTP/1.1\r\nHost: vip.example\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(servers.count, 2, "the next request is balanced on its own")
        XCTAssertTrue(try written(by: servers[1]).hasPrefix("GET /next HTTP/1.1\r\n"))
        try serverAnswers(1, "HTTP/1.1 204 No Content\r\n\r\n")
        XCTAssertEqual(try written(by: client), "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
        XCTAssertFalse(client.isActive)
        loop.run()
        XCTAssertEqual(pool.activeConnections, [0, 0], "each server connection released")
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    func testRequestBodyIsStreamedToTheServer() throws {
        try start()
        try clientSends("POST /upload HTTP/1.1\r\nHost: vip\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n")
        try clientSends("2\r\nde\r\n0\r\n\r\n")
        let request = try written(by: servers[0])
        XCTAssertTrue(request.hasSuffix("\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"), request)
        try serverAnswers(0, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try written(by: client), "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        XCTAssertTrue(try client.finish().isClean)
    }

    func testSorryPageWhenNoServerIsUp() throws {
        let page = SorryPage(file: "/etc/vipd/sorry.html", body: Array("<p>later</p>".utf8), status: 503, contentType: "text/html")
        try start(settings: HTTPListenerSettings(sorryPage: page), serversUp: false)
        try clientSends("GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
        XCTAssertEqual(
            try written(by: client),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nContent-Length: 12\r\nCache-Control: no-store\r\n"
                + "Connection: close\r\n\r\n<p>later</p>")
        XCTAssertFalse(client.isActive, "never a hung connection")
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    func testResetBeforeTheResponseSendsAGetToTheNextServer() throws {
        try start()
        try clientSends("GET /retry HTTP/1.1\r\nHost: vip\r\n\r\n")
        let first = try written(by: servers[0])
        servers[0].pipeline.fireErrorCaught(ChannelError.ioOnClosedChannel)
        XCTAssertEqual(servers.count, 2, "sent again")
        XCTAssertEqual(try written(by: servers[1]), first, "the same request")
        try serverAnswers(1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(try written(by: client), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertTrue(try client.finish().isClean)
    }

    func testResetBeforeTheResponseAnswersAPostWith502() throws {
        try start()
        try clientSends("POST /order HTTP/1.1\r\nHost: vip\r\nContent-Length: 2\r\n\r\nhi")
        _ = try written(by: servers[0])
        try servers[0].close().wait()
        XCTAssertEqual(servers.count, 1, "a POST is never sent twice")
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        XCTAssertFalse(client.isActive)
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    func testIncompleteRequestHeadIsCutAtTheRequestTimeout() throws {
        try start(settings: HTTPListenerSettings(requestTimeout: .seconds(10)))
        try clientSends("GET / HTTP/1.1\r\nHost: vip\r\nX-Slow: 1\r\n")
        loop.advanceTime(by: .seconds(9))
        XCTAssertTrue(client.isActive)
        try clientSends("X-Slow: 2\r\n")
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(client.isActive, "the timeout runs from the accept, not from the last byte")
        XCTAssertEqual(try written(by: client), "")
        XCTAssertTrue(servers.isEmpty)
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    func testSmugglingAndLimitRejections() throws {
        let cases: [(request: String, status: String)] = [
            ("POST / HTTP/1.1\r\nHost: v\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", "400 Bad Request"),
            ("POST / HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", "400 Bad Request"),
            ("POST / HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: chunked, identity\r\n\r\n", "400 Bad Request"),
            ("GET / HTTP/1.1\r\nHost: v\r\nX-Long: \(String(repeating: "x", count: 2000))\r\n\r\n", "431 Request Header Fields Too Large"),
            ("GET / HTTP/1.1\r\nHost: v\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", "431 Request Header Fields Too Large"),
            ("POST / HTTP/1.1\r\nHost: v\r\nContent-Length: 101\r\n\r\n", "413 Payload Too Large"),
            ("POST / HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n\(String(repeating: "y", count: 101))\r\n", "413 Payload Too Large"),
        ]
        for (request, status) in cases {
            try start(settings: HTTPListenerSettings(maxHeaderBytes: 1024, maxHeaders: 3, maxBodyBytes: 100))
            try? clientSends(request)
            let response = try written(by: client)
            XCTAssertTrue(response.hasPrefix("HTTP/1.1 \(status)\r\n"), "\(request): \(response)")
            XCTAssertTrue(response.contains("Connection: close\r\n"), response)
            XCTAssertFalse(client.isActive, request)
            XCTAssertTrue(servers.allSatisfy { !$0.isActive }, "nothing stays open towards a server")
            XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
        }
    }
}
