import Foundation
import VipdLab
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// `vipd run` with a `mode: http` listener in front of two real nginx (Debian nginx-light) on
/// loopback ports: balancing per request, forwarded headers, health checks, the sorry page, the
/// 502/504 answers, and the request-smuggling and slowloris defences, all through real sockets.
final class HTTPModeTests: XCTestCase {
    private var directory: LabDirectory!
    private var web0: NginxServer!
    private var web1: NginxServer!
    private var misbehaving: [MisbehavingServer] = []
    private var vipPort = 0

    override func setUpWithError() throws {
        try XCTSkipUnless(NginxServer.isAvailable, "nginx not installed (apt-get install nginx-light)")
        directory = try LabDirectory(prefix: "vipd-http")
        web0 = try NginxServer.start(name: "web0", port: try FreePort.allocate(), directory: directory)
        web1 = try NginxServer.start(name: "web1", port: try FreePort.allocate(), directory: directory)
        vipPort = try FreePort.allocate()
        try "<h1>down for maintenance</h1>\n".write(
            to: directory.file("sorry.html"), atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        web0?.stop()
        web1?.stop()
        for server in misbehaving { server.stop() }
        directory?.remove()
    }

    /// The `web` listener and pool; `extra` adds listeners (under `listeners`) and `pools` entries.
    private func yaml(extraListeners: String = "", extraPools: String = "") -> String {
        """
        listeners:
          web:
            bind: 127.0.0.1:\(vipPort)
            mode: http
            pool: web
            http:
              forwarded_proto: true
              forwarded: true
              sorry_page: { file: \(directory.file("sorry.html").path), content_type: text/html }
              request_timeout: 1s
              server_timeout: 1s
              max_body_bytes: 1000
              max_headers: 20
              max_header_bytes: 4096
        \(extraListeners)
        pools:
          web:
            servers:
              - { name: web0, address: 127.0.0.1:\(web0.port) }
              - { name: web1, address: 127.0.0.1:\(web1.port) }
            check: { kind: http, path: /health, interval: 300ms, timeout: 1s, fall: 2, rise: 2 }
        \(extraPools)
        """
    }

    private func get(_ path: String, port: Int? = nil, headers: [String: String] = [:]) throws -> HTTPProbe.Response {
        let response = try HTTPProbe.get(address: "127.0.0.1", port: port ?? vipPort, path: path, headers: headers, timeout: .seconds(10))
        return try XCTUnwrap(response, "no response to GET \(path)")
    }

    private func send(_ request: String, port: Int? = nil, timeout: Duration = .seconds(10)) throws -> HTTPProbe.Exchange {
        try HTTPProbe.exchange(address: "127.0.0.1", port: port ?? vipPort, sending: [Array(request.utf8)], timeout: timeout)
    }

    /// The answer to a GET once `vipd` logged that no server is left; the connection must be closed after it.
    private func answerWithNoServerUp(_ vipd: VipdProcess) throws -> HTTPProbe.Response {
        try vipd.waitForLog(containing: "0 active and 0 backup servers left", timeout: 30)
        let exchange = try send("GET / HTTP/1.1\r\nHost: vip\r\n\r\n")
        XCTAssertTrue(exchange.closedByServer, "never a hung connection")
        return try XCTUnwrap(exchange.responses.first)
    }

    private func servers(_ count: Int) throws -> [String] {
        try (0..<count).map { _ in try get("/whoami").body.trimmingCharacters(in: .newlines) }
    }

    // MARK: Balancing, keep-alive, headers, checks

    func testRequestsAlternateRoundRobinAcrossAndWithinConnections() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let separate = try servers(4)
        XCTAssertEqual(separate.sorted(), ["web0", "web0", "web1", "web1"], "\(separate)")
        for (previous, next) in zip(separate, separate.dropFirst()) { XCTAssertNotEqual(previous, next, "\(separate)") }

        let keepAlive = try send(
            String(repeating: "GET /whoami HTTP/1.1\r\nHost: vip\r\n\r\n", count: 3)
                + "GET /whoami HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
        let bodies = keepAlive.responses.map(\.body)
        XCTAssertEqual(bodies.count, 4, "four responses on one client connection")
        XCTAssertEqual(bodies.sorted(), ["web0\n", "web0\n", "web1\n", "web1\n"], "each request balanced: \(bodies)")
        XCTAssertTrue(keepAlive.closedByServer)
        XCTAssertNil(keepAlive.responses[0].header("Connection"), "HTTP/1.1 keep-alive needs no Connection header")
        XCTAssertEqual(keepAlive.responses[3].header("Connection"), "close")

        try vipd.waitForLog(containing: #""GET /whoami HTTP/1.1" status=200"#, count: 8, timeout: 10)
        XCTAssertTrue(vipd.log.contains("web web/web0 \"GET /whoami HTTP/1.1\" status=200 connect="), vipd.log)
        XCTAssertTrue(vipd.log.contains("bytes_out=5 retries=0"), vipd.log)
        let checks = try String(contentsOf: web0.accessLogURL, encoding: .utf8).components(separatedBy: "/health").count - 1
        XCTAssertGreaterThan(checks, 0, "the checks ran")
        XCTAssertFalse(vipd.log.contains("/health"), "health checks are never logged as requests:\n\(vipd.log)")
    }

    func testForwardedHeadersAreAddedAndHostKept() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let response = try get("/headers", headers: ["X-Forwarded-For": "203.0.113.7"])
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(
            response.body,
            "host=127.0.0.1:\(vipPort) xff=203.0.113.7, 127.0.0.1 proto=http forwarded=for=127.0.0.1;proto=http\n")
        let plain = try get("/headers")
        XCTAssertTrue(plain.body.contains("xff=127.0.0.1 "), plain.body)
    }

    func testStoppedServerIsTakenOutAndRejoins() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        web1.stop()
        try vipd.waitForLog(containing: "server web/web1 is DOWN", timeout: 30)
        XCTAssertEqual(try servers(4), ["web0", "web0", "web0", "web0"])
        try web1.restart()
        try vipd.waitForLog(containing: "server web/web1 is UP", count: 2, timeout: 30)
        XCTAssertEqual(Set(try servers(4)), ["web0", "web1"])
    }

    func testServerConnectionsAreReusedForRequestsThatCanBeSentAgain() throws {
        let reusePort = try FreePort.allocate()
        let neverPort = try FreePort.allocate()
        let vipd = try VipdProcess(
            yaml: yaml(
                extraListeners: """
                  reuse: { bind: 127.0.0.1:\(reusePort), mode: http, pool: one, http: { server_idle_timeout: 500ms } }
                  never: { bind: 127.0.0.1:\(neverPort), mode: http, pool: one, http: { server_reuse: never } }
                """,
                extraPools: """
                  one:
                    servers: [{ name: web0, address: 127.0.0.1:\(web0.port) }]
                """),
            directory: directory)
        defer { vipd.stop() }
        /// nginx's connection serial number and how many requests that connection carried, for each
        /// request sent on one client connection (so on one vipd event loop: parked connections are per loop).
        func connections(_ port: Int, _ methods: [String]) throws -> [String] {
            let requests = methods.map { "\($0) /connection HTTP/1.1\r\nHost: vip\r\nContent-Length: 0\r\n\r\n" }
            let exchange = try send(requests.joined() + "GET /whoami HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n", port: port)
            XCTAssertEqual(exchange.responses.count, methods.count + 1)
            return exchange.responses.dropLast().map { response in
                let fields = response.body.split(whereSeparator: \.isWhitespace)
                return fields.count == 2 ? response.body.trimmingCharacters(in: .newlines) : "? ?"
            }
        }
        let reused = try connections(reusePort, ["GET", "GET", "GET", "POST", "GET"])
        let ids = reused.map { $0.split(separator: " ")[0] }
        let counts = reused.map { $0.split(separator: " ")[1] }
        XCTAssertEqual(Set(ids[0...2]).count, 1, "three GETs on one server connection: \(reused)")
        XCTAssertEqual(counts[0...2], ["1", "2", "3"], "\(reused)")
        XCTAssertNotEqual(ids[3], ids[0], "a POST never goes on a parked connection: \(reused)")
        XCTAssertEqual(counts[3], "1", "\(reused)")
        XCTAssertTrue(ids[4] == ids[3] || ids[4] == ids[0], "the GET after takes a parked one again: \(reused)")
        Thread.sleep(forTimeInterval: 1.5)
        XCTAssertEqual(try connections(reusePort, ["GET"]).map { $0.split(separator: " ")[1] }, ["1"], "closed after server_idle_timeout")
        XCTAssertEqual(try connections(neverPort, ["GET", "GET", "GET"]).map { $0.split(separator: " ")[1] }, ["1", "1", "1"], "server_reuse: never")
    }

    func testExpect100ContinueIsPassedOnSoTheClientSendsItsBodyAtOnce() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let body = directory.file("body.bin")
        try Data(repeating: 0x61, count: 900).write(to: body)
        // curl waits up to --expect100-timeout (here 30 s) for the 100 before it sends the body.
        let curl = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/curl"),
            arguments: [
                "--silent", "--verbose", "--expect100-timeout", "30", "--max-time", "20", "-H", "Expect: 100-continue",
                "--data-binary", "@\(body.path)", "http://127.0.0.1:\(vipPort)/upload",
            ],
            timeout: .seconds(40))
        XCTAssertEqual(curl.exitStatus, 0, curl.standardError)
        XCTAssertTrue(curl.standardError.contains("< HTTP/1.1 100 Continue"), curl.standardError)
        XCTAssertFalse(curl.standardError.contains("Done waiting for 100-continue"), "the 100 came from nginx through vipd")
        XCTAssertEqual(curl.standardOutput, "uploaded 900\n")
    }

    // MARK: Answers vipd gives itself

    func testSorryPageWhenNoServerIsUp() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        web0.stop()
        web1.stop()
        let response = try answerWithNoServerUp(vipd)
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(response.header("Content-Type"), "text/html")
        XCTAssertEqual(response.body, "<h1>down for maintenance</h1>\n")
        try vipd.waitForLog(containing: #""GET / HTTP/1.1" status=503"#, timeout: 10)
        XCTAssertTrue(vipd.log.contains("error=no-server"), vipd.log)
    }

    /// Seed 000's kind of haproxy.cfg, imported by `vipd import` and run as it comes out: X-Forwarded-For,
    /// a new server connection per request (http-server-close), the HTTP check, and the sorry page.
    func testAnImportedHAProxyHTTPConfigRunsAsHAProxyWould() throws {
        let haproxy = directory.file("haproxy.cfg")
        let statsPort = try FreePort.allocate()
        try """
            defaults
            mode http
            option httplog
            option http-server-close
            option forwardfor except 127.0.0.0/8
            timeout http-request 10s
            timeout connect 3s
            timeout client 1m
            timeout server 5s
            frontend main
            bind 127.0.0.1:\(vipPort)
            default_backend app_backend
            backend app_backend
            option httpchk
            http-check send meth GET uri /health
            http-check expect status 200
            server web0 127.0.0.1:\(web0.port) check fall 2 inter 300 rise 2
            server web1 127.0.0.1:\(web1.port) check fall 2 inter 300 rise 2
            acl no_srv nbsrv(app_backend) eq 0
            http-request return status 503 content-type "text/html" file \(directory.file("sorry.html").path) hdr Retry-After 120 if no_srv
            listen stats
            bind 127.0.0.1:\(statsPort)
            stats enable
            stats uri /stats
            stats auth admin:s3cret
            """.write(to: haproxy, atomically: true, encoding: .utf8)
        let imported = try ProcessRunner.run(VipdProcess.binary, arguments: ["import", "--haproxy", haproxy.path], timeout: .seconds(60))
        XCTAssertEqual(imported.exitStatus, 0, imported.standardError)
        XCTAssertTrue(imported.standardOutput.contains("    mode: http\n"), imported.standardOutput)
        XCTAssertTrue(imported.standardError.contains("except 127.0.0.0/8\" not carried"), imported.standardError)
        XCTAssertFalse(imported.standardError.contains("hdr"), "the rule's hdr is carried: \(imported.standardError)")

        let vipd = try VipdProcess(yaml: imported.standardOutput, directory: directory)
        defer { vipd.stop() }
        XCTAssertEqual(Set(try servers(2)), ["web0", "web1"])
        XCTAssertTrue(try get("/headers").body.contains("xff=127.0.0.1 proto= forwarded="), "X-Forwarded-For only, as haproxy adds it")
        XCTAssertEqual(try get("/stats", port: statsPort).status, 401, "stats auth carried")
        let authorization = ["Authorization": "Basic " + Data("admin:s3cret".utf8).base64EncodedString()]
        let page = try get("/stats", port: statsPort, headers: authorization)
        XCTAssertEqual(page.status, 200, "the page where haproxy's stats uri had it")
        XCTAssertTrue(page.body.contains("stats.json"), page.body)
        let metrics = try get("/metrics", port: statsPort, headers: authorization).body
        XCTAssertTrue(metrics.contains(#"vipd_server_up{pool="app_backend",server="web0"} 1"#), metrics)
        let exchange = try send(String(repeating: "GET /connection HTTP/1.1\r\nHost: vip\r\n\r\n", count: 3) + "GET /connection HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(exchange.responses.count, 4, "the client connection is kept alive")
        for response in exchange.responses {
            XCTAssertTrue(response.body.hasSuffix(" 1\n"), "every request on a new server connection: \(response.body)")
        }
        web0.stop()
        web1.stop()
        try vipd.waitForLog(containing: "0 active and 0 backup servers left", timeout: 30)
        let sorry = try get("/")
        XCTAssertEqual(sorry.status, 503)
        XCTAssertEqual(sorry.header("Content-Type"), "text/html")
        XCTAssertEqual(sorry.header("Retry-After"), "120", "the rule's hdr, as the page's headers")
        XCTAssertEqual(sorry.body, "<h1>down for maintenance</h1>\n")
    }

    /// Debian's kind of haproxy.cfg with `errorfile 503`: imported, the file is vipd's sorry response,
    /// sent with its own status, fields and body when no server is up.
    func testAnImportedErrorfile503IsSentWhenNoServerIsUp() throws {
        let errorFile = directory.file("503.http")
        try "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\nRetry-After: 30\r\n\r\n<h1>503: back in a minute</h1>\r\n"
            .write(to: errorFile, atomically: true, encoding: .utf8)
        let haproxy = directory.file("haproxy.cfg")
        try """
            defaults
            mode http
            timeout connect 3s
            timeout client 1m
            timeout server 5s
            errorfile 503 \(errorFile.path)
            frontend main
            bind 127.0.0.1:\(vipPort)
            default_backend app
            backend app
            option httpchk GET /health
            server web0 127.0.0.1:\(web0.port) check fall 2 inter 300 rise 2
            """.write(to: haproxy, atomically: true, encoding: .utf8)
        let imported = try ProcessRunner.run(VipdProcess.binary, arguments: ["import", "--haproxy", haproxy.path], timeout: .seconds(60))
        XCTAssertEqual(imported.exitStatus, 0, imported.standardError)
        XCTAssertTrue(imported.standardOutput.contains("sorry_page: { response: \(errorFile.path) }"), imported.standardOutput)

        let vipd = try VipdProcess(yaml: imported.standardOutput, directory: directory)
        defer { vipd.stop() }
        XCTAssertEqual(try get("/whoami").body, "web0\n")
        web0.stop()
        let response = try answerWithNoServerUp(vipd)
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(response.header("Content-Type"), "text/html")
        XCTAssertEqual(response.header("Retry-After"), "30")
        XCTAssertEqual(response.headers.filter { $0.name == "cache-control" }.map(\.value), ["no-cache"], "the file's, not vipd's too")
        XCTAssertEqual(response.body, "<h1>503: back in a minute</h1>\r\n")
    }

    func testConnectFailureAnswers502AndSilentServerAnswers504() throws {
        let closedPort = try FreePort.allocate()
        let silent = try MisbehavingServer(behaviour: .neverAnswer)
        misbehaving.append(silent)
        let refusedPort = try FreePort.allocate()
        let silentPort = try FreePort.allocate()
        let vipd = try VipdProcess(
            yaml: yaml(
                extraListeners: """
                      refused: { bind: 127.0.0.1:\(refusedPort), mode: http, pool: refused, retries: 1 }
                      silent: { bind: 127.0.0.1:\(silentPort), mode: http, pool: silent, http: { server_timeout: 1s } }
                    """,
                extraPools: """
                      refused:
                        servers: [{ name: gone, address: 127.0.0.1:\(closedPort) }]
                        check: { kind: none }
                      silent:
                        servers: [{ name: mute, address: 127.0.0.1:\(silent.port) }]
                        check: { kind: none }
                    """),
            directory: directory)
        defer { vipd.stop() }

        let refused = try send("GET / HTTP/1.1\r\nHost: vip\r\n\r\n", port: refusedPort)
        XCTAssertEqual(refused.responses.map(\.status), [502])
        XCTAssertTrue(refused.closedByServer)

        let timedOut = try send("GET / HTTP/1.1\r\nHost: vip\r\n\r\n", port: silentPort, timeout: .seconds(15))
        XCTAssertEqual(timedOut.responses.map(\.status), [504])
        XCTAssertTrue(timedOut.closedByServer)
        XCTAssertLessThan(timedOut.elapsed, .seconds(10), "server_timeout is 1s")
        try vipd.waitForLog(containing: "error=server-timeout", timeout: 10)
        XCTAssertTrue(vipd.log.contains("error=connect-failed"), vipd.log)
    }

    func testResetBeforeResponseRetriesIdempotentRequestsOnly() throws {
        let resetter = try MisbehavingServer(behaviour: .resetAfterRequest)
        misbehaving.append(resetter)
        let flakyPort = try FreePort.allocate()
        let vipd = try VipdProcess(
            yaml: yaml(
                extraListeners: "  flaky: { bind: 127.0.0.1:\(flakyPort), mode: http, pool: flaky }",
                extraPools: """
                      flaky:
                        servers:
                          - { name: resetter, address: 127.0.0.1:\(resetter.port) }
                          - { name: web0, address: 127.0.0.1:\(web0.port) }
                        check: { kind: none }
                    """),
            directory: directory)
        defer { vipd.stop() }
        let gets = try (0..<2).map { _ in try get("/whoami", port: flakyPort) }
        XCTAssertEqual(gets.map(\.status), [200, 200], "a GET dropped by one server is sent to the next")
        XCTAssertEqual(gets.map(\.body), ["web0\n", "web0\n"])
        try vipd.waitForLog(containing: "retries=1", timeout: 10)

        let posts = try (0..<2).map { _ in
            try send("POST /whoami HTTP/1.1\r\nHost: vip\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi", port: flakyPort)
                .responses.map(\.status)
        }
        XCTAssertEqual(posts.flatMap { $0 }.sorted(), [200, 502], "a POST is never sent twice: \(posts)")
        XCTAssertTrue(vipd.log.contains("error=server-closed"), vipd.log)
    }

    // MARK: Defences

    func testSmugglingAttemptsAreRejectedWith400AndClosed() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let smuggled = "GET /smuggled HTTP/1.1\r\nHost: vip\r\n\r\n"
        let cases: [(name: String, request: String, status: Int)] = [
            (
                "Content-Length with Transfer-Encoding",
                "POST /whoami HTTP/1.1\r\nHost: vip\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n\(smuggled)",
                400
            ),
            (
                "invalid chunk size",
                "POST /whoami HTTP/1.1\r\nHost: vip\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n\(smuggled)",
                400
            ),
            (
                "chunked not the only coding",
                "POST /whoami HTTP/1.1\r\nHost: vip\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n\(smuggled)", 400
            ),
            (
                "two different Content-Length",
                "POST /whoami HTTP/1.1\r\nHost: vip\r\nContent-Length: 0\r\nContent-Length: 40\r\n\r\n\(smuggled)", 400
            ),
            (
                "space before the colon",
                "POST /whoami HTTP/1.1\r\nHost: vip\r\nTransfer-Encoding : chunked\r\nContent-Length: 0\r\n\r\n\(smuggled)",
                400
            ),
            ("too many headers", "GET / HTTP/1.1\r\nHost: vip\r\n" + (0..<30).map { "X-\($0): 1\r\n" }.joined() + "\r\n", 431),
            ("headers too large", "GET / HTTP/1.1\r\nHost: vip\r\nX-Big: \(String(repeating: "a", count: 5000))\r\n\r\n", 431),
            ("body too large", "POST /whoami HTTP/1.1\r\nHost: vip\r\nContent-Length: 5000\r\n\r\n", 413),
            (
                "chunked body too large",
                "POST /whoami HTTP/1.1\r\nHost: vip\r\nTransfer-Encoding: chunked\r\n\r\n7d0\r\n\(String(repeating: "b", count: 2000))\r\n0\r\n\r\n",
                413
            ),
            ("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n", 400),
        ]
        for (name, request, status) in cases {
            let exchange = try send(request)
            XCTAssertEqual(exchange.responses.map(\.status), [status], name)
            XCTAssertTrue(exchange.closedByServer, "\(name): the connection is closed")
        }
        try vipd.waitForLog(containing: "status=400", count: 6, timeout: 10)
        let served = try [web0, web1].map { try String(contentsOf: $0!.accessLogURL, encoding: .utf8) }.joined()
        XCTAssertFalse(served.contains("/smuggled"), "no smuggled request reached a server:\n\(served)")
        XCTAssertTrue(vipd.log.contains("both Content-Length and Transfer-Encoding; answered 400 and closing"), vipd.log)
    }

    func testSlowClientsAreCutAtTheRequestTimeout() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let headerByHeader = (0..<40).map { Array("X-Slow-\($0): 1\r\n".utf8) }
        let cases: [(name: String, chunks: [[UInt8]])] = [
            ("silent connection", []),
            ("request line byte by byte", "GET /whoami HTTP/1.1".utf8.map { [$0] }),
            ("headers one by one", [Array("GET /whoami HTTP/1.1\r\nHost: vip\r\n".utf8)] + headerByHeader),
        ]
        for (name, chunks) in cases {
            let exchange = try HTTPProbe.exchange(
                address: "127.0.0.1", port: vipPort, sending: chunks, pause: .milliseconds(250), timeout: .seconds(20))
            XCTAssertTrue(exchange.closedByServer, "\(name): closed by vipd")
            XCTAssertLessThan(exchange.elapsed, .seconds(10), "\(name): request_timeout is 1s")
            XCTAssertEqual(exchange.responses.map(\.status), [408], "\(name): answered as haproxy does")
        }
        XCTAssertTrue(vipd.log.contains("no complete request head within 1.0 seconds; answered 408 and closing"), vipd.log)
        XCTAssertEqual(try servers(2).sorted(), ["web0", "web1"], "other clients are served meanwhile")
    }

    // MARK: Bytes that are not a request

    func testEveryBadRequestIsLogged() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        // Garbage then the client's close: no answer, one line.
        let closed = try HTTPProbe.exchange(
            address: "127.0.0.1", port: vipPort, sending: [Array("\u{1}\u{2}not http".utf8)], shuttingOutput: true,
            timeout: .seconds(20))
        XCTAssertTrue(closed.closedByServer)
        XCTAssertLessThan(closed.elapsed, .seconds(5), "closed when the client stopped sending")
        XCTAssertEqual(closed.responses.count, 0)
        try vipd.waitForLog(containing: #" web web/<none> "<BADREQ>" status=- "#, timeout: 10)
        XCTAssertTrue(vipd.log.contains("error=client-closed"), vipd.log)

        // Garbage that ends a head: refused at once.
        let garbage = try send("\u{1}\u{2}not http\r\n\r\n")
        XCTAssertEqual(garbage.responses.map(\.status), [400])
        try vipd.waitForLog(containing: #" web web/<none> "<BADREQ>" status=400 "#, timeout: 10)
        XCTAssertTrue(vipd.log.contains("malformed request (malformed request line); answered 400 and closing"), vipd.log)

        XCTAssertEqual(try servers(2).sorted(), ["web0", "web1"], "ordinary requests are served as before")
    }

    /// A listener on `port` with the default request timeout (10 s): a handshake left waiting for a
    /// request head would take that long to be answered.
    private func plainListener(_ port: Int) -> String {
        "  plain: { bind: 127.0.0.1:\(port), mode: http, pool: web }"
    }

    /// The start of a TLS ClientHello (record header, handshake header, version, random), with no
    /// byte 0x0A that would be refused as a bare LF anyway.
    private static let clientHello: [UInt8] =
        [0x16, 0x03, 0x01, 0x00, 0x4A, 0x01, 0x00, 0x00, 0x46, 0x03, 0x03] + [UInt8](repeating: 0x2A, count: 32) + [0x00, 0x00, 0x02, 0x13, 0x01]

    func testATLSHandshakeIsAnswered400AtOnceAndLogged() throws {
        let plainPort = try FreePort.allocate()
        let vipd = try VipdProcess(yaml: yaml(extraListeners: plainListener(plainPort)), directory: directory)
        defer { vipd.stop() }
        let tls = try HTTPProbe.exchange(address: "127.0.0.1", port: plainPort, sending: [Self.clientHello], timeout: .seconds(20))
        XCTAssertLessThan(tls.elapsed, .seconds(5), "answered at once, not at the 10 s request timeout")
        XCTAssertTrue(tls.closedByServer)
        XCTAssertEqual(tls.responses.map(\.status), [400])
        XCTAssertEqual(tls.responses.first?.body, "400 Bad Request\nThis listener speaks plain HTTP, not HTTPS (TLS).\n")
        try vipd.waitForLog(containing: "plain: TLS handshake on a plain HTTP listener; answered 400 and closing", timeout: 10)
        try vipd.waitForLog(containing: #" plain web/<none> "<BADREQ>" status=400 "#, timeout: 10)
        XCTAssertTrue(vipd.log.contains("error=tls-handshake"), vipd.log)
        XCTAssertEqual(try get("/whoami", port: plainPort).status, 200, "plain HTTP is served as before")
    }

    /// curl told `https://` for the plain listener: its TLS stack gets vipd's answer at once and fails.
    func testCurlSpeakingHTTPSToThePlainListenerFailsAtOnce() throws {
        let curl = URL(fileURLWithPath: "/usr/bin/curl")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: curl.path), "curl not installed (apt-get install curl)")
        let plainPort = try FreePort.allocate()
        let vipd = try VipdProcess(yaml: yaml(extraListeners: plainListener(plainPort)), directory: directory)
        defer { vipd.stop() }
        let clock = ContinuousClock()
        let start = clock.now
        let output = try ProcessRunner.run(
            curl, arguments: ["-sS", "--max-time", "30", "https://127.0.0.1:\(plainPort)/whoami"], timeout: .seconds(60))
        let elapsed = clock.now - start
        XCTAssertNotEqual(output.exitStatus, 0, "no TLS server here: \(output.standardError)")
        XCTAssertLessThan(elapsed, .seconds(5), "answered at once, not at the 10 s request timeout: \(output.standardError)")
        try vipd.waitForLog(containing: "plain: TLS handshake on a plain HTTP listener; answered 400 and closing", timeout: 10)
        try vipd.waitForLog(containing: "error=tls-handshake", timeout: 10)
    }
}

/// A TCP server on a loopback port that misbehaves as an HTTP server: it never answers, or it
/// reads the request and resets the connection. Accepts on its own thread until stopped.
final class MisbehavingServer: @unchecked Sendable {
    enum Behaviour { case neverAnswer, resetAfterRequest }

    let port: Int
    private let descriptor: Int32
    private let behaviour: Behaviour
    private let lock = NSLock()
    private var accepted: [Int32] = []
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(behaviour: Behaviour) throws {
        self.behaviour = behaviour
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else {
            close(listener)
            throw LabError.systemCall(name: "bind/listen", errno: errno)
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        descriptor = listener
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [self] in serve() }
    }

    private func serve() {
        defer { done.signal() }
        while !lock.withLock({ stopped }) {
            let connection = accept(descriptor, nil, nil)
            guard connection >= 0 else { return }
            switch behaviour {
            case .neverAnswer:
                lock.withLock { accepted.append(connection) }
            case .resetAfterRequest:
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = buffer.withUnsafeMutableBytes { recv(connection, $0.baseAddress, $0.count, 0) }
                var reset = linger(l_onoff: 1, l_linger: 0)
                setsockopt(connection, SOL_SOCKET, SO_LINGER, &reset, socklen_t(MemoryLayout<linger>.size))
                close(connection)
            }
        }
    }

    /// Stops accepting (shutting the listening socket wakes the accept) and closes every connection.
    func stop() {
        let connections = lock.withLock { () -> [Int32] in
            stopped = true
            defer { accepted = [] }
            return accepted
        }
        shutdown(descriptor, Int32(SHUT_RDWR))
        _ = done.wait(timeout: .now() + 5)
        close(descriptor)
        for connection in connections { close(connection) }
    }
}
