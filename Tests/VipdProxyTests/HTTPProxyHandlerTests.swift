import InMemoryLogging
import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import VipdConfig
import VipdCore
import XCTest

@testable import VipdProxy

/// The HTTP proxy handler on EmbeddedChannels: a client channel with the real handler and its
/// HTTP/1.1 reader, and server channels handed out by a stub connector on the same event loop, so raw bytes go in
/// and raw bytes are checked coming out, with time advanced by hand.
final class HTTPProxyHandlerTests: XCTestCase {
    private var loop: EmbeddedEventLoop!
    private var client: EmbeddedChannel!
    private var pool: PoolRuntime!
    private var traffic: TrafficCounters!
    private var listenerTraffic: ListenerTraffic!
    /// Server channels handed out so far, in order.
    private var servers: [EmbeddedChannel] = []
    private var proxy: HTTPProxyHandler!
    /// What the handler logged (info and above: access lines at info, answers at warning).
    private var logs: InMemoryLogHandler!

    /// Parked server connections: the one the client holds for its next request, and the pool's idle set.
    private var parkedConnections: Int {
        pool.idleConnections.count + (proxy.heldServer == nil ? 0 : 1)
    }

    private func start(
        settings: HTTPListenerSettings = HTTPListenerSettings(), idleTimeout: Duration = .seconds(3600), serversUp: Bool = true
    ) throws {
        loop = EmbeddedEventLoop()
        servers = []
        let poolConfig = PoolConfig(
            name: "web",
            servers: [
                ServerConfig(name: "web0", endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 8001)),
                ServerConfig(name: "web1", endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 8002)),
            ])
        traffic = TrafficCounters()
        pool = PoolRuntime(config: poolConfig, traffic: traffic)
        pool.setServer(0, up: serversUp)
        pool.setServer(1, up: serversUp)
        let listener = ListenerConfig(
            name: "web", bind: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 8080), mode: .http, pool: "web",
            idleTimeout: idleTimeout, retries: 2, http: settings)
        listenerTraffic = ListenerTraffic()
        let route = ListenerRoute(config: listener, pool: pool, traffic: listenerTraffic)
        let logs = InMemoryLogHandler()
        self.logs = logs
        let logger = Logger(label: "test") { _ in logs }
        let connect: HTTPProxyHandler.Connect = { [unowned self] key, record, loop, reusingIdle, held in
            guard let pick = pool.pick(clientKey: key, excluding: []) else {
                return .opening(loop.makeFailedFuture(ServerConnector.Failure(end: .noServer, detail: "pool web has no server available")))
            }
            record.server = pick.server.name
            if reusingIdle, let parked = pool.idleConnections.take(server: pick.index, on: loop, preferring: held) {
                return .parked(ServerConnector.Connected(channel: parked.channel, pick: pick, parkedHandler: parked.handler))
            }
            let server = EmbeddedChannel(loop: self.loop)
            servers.append(server)
            return .opening(
                server.connect(to: try! SocketAddress(ipAddress: "127.0.0.1", port: pick.server.endpoint.port)).map {
                    ServerConnector.Connected(channel: server, pick: pick, parkedHandler: nil)
                })
        }
        client = EmbeddedChannel(loop: loop)
        proxy = HTTPProxyHandler(route: route, logger: logger, connect: connect)
        try client.pipeline.syncOperations.addHandler(proxy)
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

    /// The access lines logged so far.
    private var accessLines: [String] {
        logs.entries.filter { $0.level == .info }.map(\.message.description)
    }

    /// Each access line's request, status and error, e.g. `"<BADREQ>" status=- error=client-closed`.
    private var accessSummary: [String] {
        accessLines.map { line in
            let quoted = line.split(separator: "\"", omittingEmptySubsequences: false).dropFirst().first.map { "\"\($0)\"" } ?? "?"
            let fields = line.split(separator: " ").filter { $0.hasPrefix("status=") || $0.hasPrefix("error=") }
            return ([quoted] + fields.map(String.init)).joined(separator: " ")
        }
    }

    func testForwardsWithForwardedHeadersAndKeepsTheClientConnection() throws {
        try start(settings: HTTPListenerSettings(serverReuse: .never))
        try clientSends("GET /a?b=1 HTTP/1.1\r\nHost: vip.example\r\nX-Forwarded-For: 198.51.100.1\r\nKeep-Alive: timeout=5\r\n\r\n")
        XCTAssertEqual(servers.count, 1)
        let request = try written(by: servers[0])
        XCTAssertTrue(request.hasPrefix("GET /a?b=1 HTTP/1.1\r\n"), request)
        XCTAssertTrue(request.contains("Host: vip.example\r\n"), request)
        XCTAssertTrue(request.contains("X-Forwarded-For: 198.51.100.1, 192.0.2.10\r\n"), request)
        XCTAssertTrue(request.contains("Connection: close\r\n"), request)
        XCTAssertFalse(request.contains("Keep-Alive"), request)

        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Served-By: web0\r\n\r\nhello")
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
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), "haproxy's answer too")
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

    // MARK: Server connection reuse

    /// One GET answered with a kept-alive response: returns the client's response.
    private func roundTrip(_ path: String, server index: Int, answer: String = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        throws -> (request: String, response: String)
    {
        try clientSends("GET \(path) HTTP/1.1\r\nHost: vip\r\n\r\n")
        let request = try written(by: servers[index])
        try serverAnswers(index, answer)
        return (request, try written(by: client))
    }

    func testAKeptAliveServerConnectionCarriesALaterGetOfAnyClient() throws {
        try start()
        let first = try roundTrip("/1", server: 0)
        XCTAssertFalse(first.request.contains("Connection:"), "HTTP/1.1 asks the server to keep the connection")
        XCTAssertEqual(first.response, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertTrue(servers[0].isActive, "parked, not closed")
        XCTAssertEqual(proxy.heldServer?.server, 0, "kept by its client for the next request")
        XCTAssertEqual(pool.idleConnections.count, 0)
        XCTAssertEqual(pool.activeConnections, [0, 0], "a parked connection carries no request")

        _ = try roundTrip("/2", server: 1)  // round robin: web1, a new connection
        XCTAssertEqual(servers.count, 2)
        let third = try roundTrip("/3", server: 0)
        XCTAssertEqual(servers.count, 2, "web0's parked connection carried /3")
        XCTAssertTrue(third.request.hasPrefix("GET /3 HTTP/1.1\r\n"), third.request)
        XCTAssertEqual(third.response, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(proxy.heldServer?.server, 0)
        XCTAssertEqual(pool.idleConnections.count, 1, "web1's went to the idle set when /3 was balanced to web0")
        XCTAssertEqual(pool.activeConnections, [0, 0])
        let web0 = try XCTUnwrap(traffic.readings[TrafficCounters.Key(pool: "web", server: "web0")])
        XCTAssertEqual(web0.totalRequests, 2, "every request counts in its server's traffic")
        XCTAssertEqual(web0.totalConnections, 0, "requests are not counted as connections")
        XCTAssertEqual(web0.responses[1], 2, "two 2xx responses")
        XCTAssertEqual(web0.activeConnections, 0)
        XCTAssertEqual(web0.bytesFromServer, 4, "body bytes")
    }

    func testTheConnectionAClientHeldGoesToTheIdleSetWhenTheClientLeavesKeepingItsIdleTime() throws {
        try start(settings: HTTPListenerSettings(serverIdleTimeout: .seconds(4)))
        _ = try roundTrip("/1", server: 0)
        XCTAssertEqual(proxy.heldServer?.server, 0)
        loop.advanceTime(by: .seconds(3))
        try client.close().wait()
        XCTAssertNil(proxy.heldServer)
        XCTAssertEqual(pool.idleConnections.count, 1, "left for other clients")
        XCTAssertTrue(servers[0].isActive)
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(servers[0].isActive, "4 s unused in all, held then parked")
        XCTAssertEqual(pool.idleConnections.count, 0)
    }

    func testRequestsThatCannotBeSentTwiceNeverUseAParkedConnection() throws {
        try start()
        pool.setServer(1, up: false)
        _ = try roundTrip("/1", server: 0)
        try clientSends("POST /order HTTP/1.1\r\nHost: vip\r\nContent-Length: 2\r\n\r\nhi")
        XCTAssertEqual(servers.count, 2, "a POST gets a new connection")
        XCTAssertTrue(try written(by: servers[1]).hasPrefix("POST /order"))
        XCTAssertEqual(try written(by: servers[0]), "", "nothing on the parked one")
        try serverAnswers(1, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(parkedConnections, 2, "its connection is parked after the response all the same")
        try clientSends("GET /body HTTP/1.1\r\nHost: vip\r\nContent-Length: 1\r\n\r\nx")
        XCTAssertEqual(servers.count, 3, "a GET with a body gets a new connection")
    }

    func testResponsesThatEndTheirConnectionAreNotParked() throws {
        try start()
        _ = try roundTrip("/1", server: 0, answer: "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        XCTAssertFalse(servers[0].isActive)
        _ = try roundTrip("/2", server: 1, answer: "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertFalse(servers[1].isActive, "an HTTP/1.0 response without keep-alive")
        XCTAssertEqual(pool.idleConnections.count, 0)
    }

    func testParkedConnectionsEndOnAnySignFromTheServerOrAfterTheIdleTimeout() throws {
        try start(settings: HTTPListenerSettings(serverIdleTimeout: .seconds(4)))
        _ = try roundTrip("/1", server: 0)
        _ = try roundTrip("/2", server: 1)
        XCTAssertEqual(parkedConnections, 2)
        try servers[0].close().wait()
        XCTAssertEqual(parkedConnections, 1, "closed by the server: forgotten by the idle set")
        try serverAnswers(1, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        XCTAssertFalse(servers[1].isActive, "a response nobody asked for: closed")
        XCTAssertEqual(parkedConnections, 0, "and forgotten by the client holding it")

        _ = try roundTrip("/3", server: 2)
        loop.advanceTime(by: .milliseconds(3999))
        XCTAssertTrue(servers[2].isActive)
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertFalse(servers[2].isActive, "unused for server_idle_timeout")
        XCTAssertEqual(pool.idleConnections.count, 0)
    }

    func testAParkedConnectionClosedAsItIsUsedSendsTheRequestAgainOnANewOne() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        pool.setServer(1, up: false)
        _ = try roundTrip("/1", server: 0)
        try clientSends("GET /2 HTTP/1.1\r\nHost: vip\r\n\r\n")
        let sent = try written(by: servers[0])
        XCTAssertTrue(sent.hasPrefix("GET /2"), "went on the parked connection")
        try servers[0].close().wait()  // the server's keep-alive timeout ran out at the same moment
        XCTAssertEqual(servers.count, 2)
        XCTAssertEqual(try written(by: servers[1]), sent, "the same request on a new connection")
        try serverAnswers(1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertEqual(try written(by: client), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertTrue(client.isActive)
        XCTAssertEqual(pool.activeConnections, [0, 0])
    }

    func testSilentServerGets504AfterTheServerTimeoutCountedFromItsLastByte() throws {
        try start(settings: HTTPListenerSettings(serverTimeout: .seconds(30)))
        try clientSends("GET /slow HTTP/1.1\r\nHost: vip\r\n\r\n")
        loop.advanceTime(by: .seconds(29))
        XCTAssertEqual(try written(by: client), "")
        loop.advanceTime(by: .seconds(1))
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 504 Gateway Timeout\r\n"))
        XCTAssertFalse(client.isActive)
        XCTAssertFalse(servers[0].isActive)

        try start(settings: HTTPListenerSettings(serverTimeout: .seconds(30)))
        try clientSends("GET /stream HTTP/1.1\r\nHost: vip\r\n\r\n")
        loop.advanceTime(by: .seconds(20))
        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")
        loop.advanceTime(by: .seconds(29))
        XCTAssertTrue(client.isActive, "a byte from the server restarts the wait")
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(client.isActive, "cut in the middle of the response")
    }

    func testTheIdleTimeoutCutsAConnectionWhereNoByteMovedEitherWay() throws {
        try start(settings: HTTPListenerSettings(serverTimeout: .seconds(60)), idleTimeout: .seconds(5))
        try clientSends("GET /stream HTTP/1.1\r\nHost: vip\r\n\r\n")
        loop.advanceTime(by: .seconds(3))
        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab")
        loop.advanceTime(by: .seconds(4))
        XCTAssertTrue(client.isActive, "bytes flushed to the client restart the idle wait")
        XCTAssertTrue(try written(by: client).hasSuffix("ab"))
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(client.isActive, "5 s without a byte either way, within the server timeout")
        XCTAssertFalse(servers[0].isActive, "the server connection of the cut request is closed, not parked")
        XCTAssertEqual(pool.idleConnections.count, 0)
        XCTAssertEqual(accessSummary, [#""GET /stream HTTP/1.1" status=200 error=idle-timeout"#], "vipd cut it, not the client")

        try start(settings: HTTPListenerSettings(serverTimeout: .seconds(60)), idleTimeout: .seconds(5))
        try clientSends("POST /upload HTTP/1.1\r\nHost: vip\r\nContent-Length: 4\r\n\r\nab")
        loop.advanceTime(by: .seconds(4))
        try clientSends("cd")
        loop.advanceTime(by: .seconds(4))
        XCTAssertTrue(client.isActive, "bytes read from the client restart the idle wait")
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(client.isActive)
    }

    func testAKeptAliveConnectionWithoutANextRequestIsClosedSilently() throws {
        try start(settings: HTTPListenerSettings(requestTimeout: .seconds(10)))
        _ = try roundTrip("/1", server: 0)
        loop.advanceTime(by: .seconds(10))
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(try written(by: client), "")
    }

    func testPipelinedRequestsAreServedOneAfterTheOtherInOrder() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        pool.setServer(1, up: false)
        try clientSends(
            "GET /1 HTTP/1.1\r\nHost: vip\r\n\r\nPOST /2 HTTP/1.1\r\nHost: vip\r\nContent-Length: 2\r\n\r\nhi"
                + "GET /3 HTTP/1.1\r\nHost: vip\r\n\r\n")
        XCTAssertEqual(servers.count, 1, "one request at a time")
        XCTAssertEqual(try written(by: servers[0]), "GET /1 HTTP/1.1\r\nHost: vip\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na")
        XCTAssertEqual(servers.count, 2, "the POST on a new connection once /1 is answered")
        XCTAssertEqual(try written(by: servers[1]), "POST /2 HTTP/1.1\r\nHost: vip\r\nContent-Length: 2\r\n\r\nhi")
        try serverAnswers(1, "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb")
        XCTAssertEqual(try written(by: servers[1]), "GET /3 HTTP/1.1\r\nHost: vip\r\n\r\n", "the last parked connection")
        try serverAnswers(1, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc")
        XCTAssertEqual(
            try written(by: client),
            "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na" + "HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb"
                + "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nc")
        XCTAssertTrue(client.isActive)
    }

    func testAMalformedPipelinedRequestIsAnsweredAfterTheCurrentResponse() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try clientSends("GET /1 HTTP/1.1\r\nHost: vip\r\n\r\nGET /2 HTTP/1.1\r\nHost: vip\r\nContent-Length: x\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na")
        let response = try written(by: client)
        XCTAssertTrue(
            response.hasPrefix("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 400 Bad Request\r\n"),
            "the first answered in full, then the second rejected: \(response)")
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(servers.count, 1, "the malformed one never reaches a server")
    }

    func testChunkedResponsesPassAsTheyCameToHTTP11AndDecodedToHTTP10() throws {
        let chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=1\r\nabc\r\n0\r\nX-Sum: 1\r\n\r\n"
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        let http11 = try roundTrip("/c", server: 0, answer: chunked)
        XCTAssertEqual(http11.response, chunked, "framing, extensions and trailers forwarded byte for byte")
        XCTAssertTrue(client.isActive)
        XCTAssertEqual(parkedConnections, 1)

        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try clientSends("GET /c HTTP/1.0\r\n\r\n")
        try serverAnswers(0, String(chunked.prefix(60)))
        try serverAnswers(0, String(chunked.dropFirst(60)))
        XCTAssertEqual(try written(by: client), "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\nabc", "no chunks for HTTP/1.0")
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(pool.idleConnections.count, 1, "the response ended cleanly: its server connection is parked")
    }

    func testAResponseEndingWithTheConnectionEndsTheClientConnectionToo() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try clientSends("GET /old HTTP/1.1\r\nHost: vip\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nsome")
        try serverAnswers(0, " text")
        XCTAssertTrue(client.isActive)
        try servers[0].close().wait()
        XCTAssertEqual(
            try written(by: client), "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nsome text")
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(pool.idleConnections.count, 0)
    }

    func testAMalformedResponseIsA502() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try clientSends("POST /x HTTP/1.1\r\nHost: vip\r\nContent-Length: 0\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 502 Bad Gateway\r\n"))
        XCTAssertFalse(client.isActive)
    }

    func testInterimResponsesReachHTTP11ClientsOnly() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try clientSends("POST /up HTTP/1.1\r\nHost: vip\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n")
        XCTAssertTrue(try written(by: servers[0]).contains("Expect: 100-continue\r\n"))
        try serverAnswers(0, "HTTP/1.1 100 Continue\r\n\r\n")
        XCTAssertEqual(try written(by: client), "HTTP/1.1 100 Continue\r\n\r\n")
        try clientSends("hi")
        XCTAssertEqual(try written(by: servers[0]), "hi")
        try serverAnswers(0, "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        XCTAssertEqual(try written(by: client), "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")

        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try clientSends("GET /early HTTP/1.0\r\nHost: vip\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx")
        XCTAssertEqual(
            try written(by: client), "HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx",
            "HTTP/1.0 has no interim responses")
    }

    func testASwitchedConnectionPassesBytesBothWaysPastTheServerTimeoutUntilTheServerCloses() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false, serverTimeout: .seconds(30), serverReuse: .never), idleTimeout: .seconds(600))
        // The client's first frame follows its handshake at once, before the server answered.
        try clientSends("GET /chat HTTP/1.1\r\nHost: vip\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nframe-1")
        XCTAssertEqual(try written(by: servers[0]), "GET /chat HTTP/1.1\r\nHost: vip\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello")
        XCTAssertEqual(
            try written(by: client), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\nhello")
        XCTAssertEqual(try written(by: servers[0]), "frame-1", "what waited goes out once the server switched")
        try clientSends("GET / HTTP/1.1\r\n\r\n")
        XCTAssertEqual(try written(by: servers[0]), "GET / HTTP/1.1\r\n\r\n", "no longer read as HTTP")
        loop.advanceTime(by: .seconds(300))
        XCTAssertTrue(client.isActive, "no server timeout in a tunnel")
        XCTAssertEqual(pool.activeConnections, [1, 0], "the tunnel holds its server")
        try serverAnswers(0, "bye")
        try servers[0].close().wait()
        XCTAssertEqual(try written(by: client), "bye")
        XCTAssertFalse(client.isActive, "the server's close ends the client connection")
        loop.run()
        XCTAssertEqual(pool.activeConnections, [0, 0])
        XCTAssertEqual(pool.idleConnections.count, 0)
    }

    /// A WebSocket handshake the first server accepts: the connection is a tunnel from then on.
    private func switchToWebSocket() throws {
        try clientSends("GET /ws HTTP/1.1\r\nHost: vip\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")
    }

    /// The client's end of input closes the server connection's output (on an EmbeddedChannel, which
    /// knows no half-closure, the whole connection), and the server's close then ends the client's.
    func testAClientThatStopsSendingEndsTheTunnelAtTheServer() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try switchToWebSocket()
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 101 "))
        client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertFalse(servers[0].isActive)
        loop.run()
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(pool.activeConnections, [0, 0])
    }

    func testTheIdleTimeoutEndsASilentTunnel() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false, serverTimeout: .seconds(1)), idleTimeout: .seconds(5))
        try switchToWebSocket()
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 101 "))
        loop.advanceTime(by: .seconds(4))
        try clientSends("ping")
        XCTAssertTrue(try written(by: servers[0]).hasSuffix("ping"))
        loop.advanceTime(by: .seconds(4))
        XCTAssertTrue(client.isActive, "a byte from the client restarts the idle wait")
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(client.isActive)
        XCTAssertFalse(servers[0].isActive)
    }

    func testAnUpgradeTheServerDeclinesIsAnOrdinaryResponse() throws {
        try start(settings: HTTPListenerSettings(forwardedFor: false))
        try clientSends("GET /ws HTTP/1.1\r\nHost: vip\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n")
        try serverAnswers(0, "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 2\r\n\r\nno")
        XCTAssertEqual(try written(by: client), "HTTP/1.1 426 Upgrade Required\r\nContent-Length: 2\r\n\r\nno")
        XCTAssertTrue(client.isActive, "the client connection stays for its next request")
        try clientSends("GET /next HTTP/1.1\r\nHost: vip\r\n\r\n")
        XCTAssertTrue(try written(by: servers.last!).hasPrefix("GET /next HTTP/1.1\r\n"))
    }

    // MARK: Requests that never were: the access log

    /// Bytes that end no request line, then the client's end of input: one `<BADREQ>` line, no status.
    func testGarbageThenCloseIsLoggedAsABadRequest() throws {
        try start()
        try clientSends("\u{1}\u{2}not http at all")
        XCTAssertEqual(accessLines, [], "nothing to log while more may come")
        client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(accessSummary, [#""<BADREQ>" status=- error=client-closed"#])
        XCTAssertEqual(listenerTraffic.reading.badRequests, 1, "counted as haproxy counts ereq")
        XCTAssertTrue(accessLines.first?.hasPrefix(#"192.0.2.10:40000 web web/<none> "<BADREQ>" "#) == true, "\(accessLines)")
        XCTAssertEqual(try written(by: client), "", "nobody is left to answer")
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    /// Part of a head, then a reset (an error, then the channel closed): one `<BADREQ>` line.
    func testAnIncompleteHeadThenAResetIsLoggedOnce() throws {
        try start()
        try clientSends("GET /slow HTTP/1.1\r\nHost: vip\r\n")
        client.pipeline.fireErrorCaught(IOError(errnoCode: ECONNRESET, reason: "read"))
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(accessSummary, [#""<BADREQ>" status=- error=client-closed"#])
        XCTAssertTrue(servers.isEmpty)
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    /// A connection that sends nothing and closes is not logged (haproxy's `option dontlognull`), nor
    /// is a kept-alive connection that closes after its responses.
    func testConnectionsThatCloseBetweenRequestsLogOnlyTheirRequests() throws {
        try start()
        client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(accessLines, [])
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)

        try start()
        XCTAssertTrue(try roundTrip("/1", server: 0).response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(accessSummary, [#""GET /1 HTTP/1.1" status=200"#])
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    /// A client that sends a request, the start of its next one and its end of input: once the
    /// response is out, the connection closes at once (the head can never be completed) and both are logged.
    func testAHeadLeftIncompleteBehindAResponseIsLoggedWhenTheClientStopsSending() throws {
        try start()
        try clientSends("GET /1 HTTP/1.1\r\nHost: vip\r\n\r\nGET /2 HTTP/1.1\r\nHo")
        client.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        XCTAssertTrue(try written(by: servers[0]).hasPrefix("GET /1 HTTP/1.1\r\n"))
        try serverAnswers(0, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 200 OK\r\n"))
        XCTAssertFalse(client.isActive, "closed without waiting for the request timeout")
        XCTAssertEqual(accessSummary, [#""GET /1 HTTP/1.1" status=200"#, #""<BADREQ>" status=- error=client-closed"#])
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    /// A kept-alive connection whose next head is begun but not complete within the request timeout
    /// is answered 408 and logged, as the first request would be.
    func testAnIncompleteNextHeadIsAnswered408AtTheRequestTimeout() throws {
        try start(settings: HTTPListenerSettings(requestTimeout: .seconds(10)))
        _ = try roundTrip("/1", server: 0)
        try clientSends("GET /2 HTTP/1.1\r\nHost: vip\r\n")
        loop.advanceTime(by: .seconds(10))
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        XCTAssertFalse(client.isActive)
        XCTAssertEqual(accessSummary, [#""GET /1 HTTP/1.1" status=200"#, #""<BADREQ>" status=408 error=request-timeout"#])
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }

    /// The start of a TLS 1.3 ClientHello as curl and openssl send it (record version 3.1), without a
    /// byte 0x0A that would be refused as a bare LF anyway.
    private static let clientHello: [UInt8] =
        [0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xFC, 0x03, 0x03] + (0..<32).map { UInt8(0x20 + $0) }
        + [0x20] + (0..<32).map { UInt8(0x40 + $0) } + [0x00, 0x3E, 0x13, 0x02, 0x13, 0x03, 0x13, 0x01, 0xC0, 0x2C]

    /// A TLS handshake is answered 400 at once (the clock never moves), in plain text saying why,
    /// and logged as what it was; it is recognised when its first bytes come one read at a time too.
    func testATLSHandshakeIsAnswered400AtOnceAndLogged() throws {
        for split in [Self.clientHello.count, 1, 2] {
            try start()
            try client.writeInbound(ByteBuffer(bytes: Self.clientHello.prefix(split)))
            if split < Self.clientHello.count {
                XCTAssertTrue(client.isActive, "\(split) bytes cannot tell yet")
                try client.writeInbound(ByteBuffer(bytes: Self.clientHello.dropFirst(split)))
            }
            let response = try written(by: client)
            XCTAssertTrue(response.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), response)
            XCTAssertTrue(response.hasSuffix("\r\n\r\n400 Bad Request\nThis listener speaks plain HTTP, not HTTPS (TLS).\n"), response)
            XCTAssertFalse(client.isActive, "closed after the answer")
            XCTAssertEqual(accessSummary, [#""<BADREQ>" status=400 error=tls-handshake"#])
            XCTAssertEqual(listenerTraffic.reading.badRequests, 1)
            XCTAssertTrue(accessLines.first?.contains(#" web web/<none> "<BADREQ>" "#) == true, "\(accessLines)")
            let warnings = logs.entries.filter { $0.level == .warning }.map(\.message.description)
            XCTAssertEqual(warnings, ["192.0.2.10:40000 web: TLS handshake on a plain HTTP listener; answered 400 and closing"])
            XCTAssertTrue(servers.isEmpty)
            XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
        }
    }

    /// The same bytes after an ordinary request on a kept-alive connection are recognised too; the
    /// request before them is logged as usual.
    func testATLSHandshakeAfterARequestIsRecognised() throws {
        try start()
        XCTAssertTrue(try roundTrip("/1", server: 0).response.hasPrefix("HTTP/1.1 200 OK\r\n"))
        try client.writeInbound(ByteBuffer(bytes: Self.clientHello))
        XCTAssertTrue(try written(by: client).hasPrefix("HTTP/1.1 400 Bad Request\r\n"))
        XCTAssertEqual(accessSummary, [#""GET /1 HTTP/1.1" status=200"#, #""<BADREQ>" status=400 error=tls-handshake"#])
        XCTAssertTrue(try client.finish(acceptAlreadyClosed: true).isClean)
    }
}
