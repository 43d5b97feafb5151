import Foundation
import VipdLab
import XCTest

/// `/metrics` of a real `vipd run` counts what goes wrong: each error is driven through real
/// sockets (nginx, a closed port, a silent and a resetting server, a drained pool, a bad request, a
/// silent client) and its counter read before and after; the whole exposition passes
/// `promtool check metrics` (Debian prometheus).
final class ErrorCountersTests: XCTestCase {
    private var directory: LabDirectory!
    private var web0: NginxServer!
    private var web1: NginxServer!
    private var misbehaving: [MisbehavingServer] = []
    private var statsPort = 0

    override func setUpWithError() throws {
        try XCTSkipUnless(NginxServer.isAvailable, "nginx not installed (apt-get install nginx-light)")
        directory = try LabDirectory(prefix: "vipd-errors")
        web0 = try NginxServer.start(name: "web0", port: try FreePort.allocate(), directory: directory)
        web1 = try NginxServer.start(name: "web1", port: try FreePort.allocate(), directory: directory)
        statsPort = try FreePort.allocate()
    }

    override func tearDown() {
        web0?.stop()
        web1?.stop()
        for server in misbehaving { server.stop() }
        directory?.remove()
    }

    /// `/metrics` now.
    private func metrics() throws -> String {
        let response = try HTTPProbe.get(address: "127.0.0.1", port: statsPort, path: "/metrics", timeout: .seconds(10))
        return try XCTUnwrap(response, "no answer from /metrics").body
    }

    /// The value of `series` (`name{labels}` as vipd writes it) in `text`, 0 when absent.
    private func value(_ series: String, in text: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1)) ?? .nan
        }
        return 0
    }

    /// Runs `action` and waits (bounded) until `series` grew; returns the values before and after.
    @discardableResult
    private func moves(_ series: String, by action: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) throws
        -> (before: Double, after: Double)
    {
        let before = value(series, in: try metrics())
        try action()
        var after = before
        let deadline = Date().addingTimeInterval(10)
        repeat {
            after = value(series, in: try metrics())
            if after > before { break }
            Thread.sleep(forTimeInterval: 0.1)
        } while Date() < deadline
        XCTAssertGreaterThan(after, before, "\(series) did not move", file: file, line: line)
        print("\(series): \(before) -> \(after)")
        return (before, after)
    }

    private func send(_ request: String, port: Int, timeout: Duration = .seconds(15)) throws -> HTTPProbe.Exchange {
        try HTTPProbe.exchange(address: "127.0.0.1", port: port, sending: [Array(request.utf8)], timeout: timeout)
    }

    func testEachErrorMovesItsCounterAndPromtoolAcceptsTheMetrics() throws {
        let silent = try MisbehavingServer(behaviour: .neverAnswer)
        let resetter = try MisbehavingServer(behaviour: .resetAfterRequest)
        misbehaving += [silent, resetter]
        let closedPort = try FreePort.allocate()
        let ports = try (0..<5).map { _ in try FreePort.allocate() }
        let (webPort, soloTCPPort, soloHTTPPort, silentPort, resetPort) = (ports[0], ports[1], ports[2], ports[3], ports[4])
        let socket = directory.file("control.sock").path
        let vipd = try VipdProcess(
            yaml: """
                listeners:
                  web: { bind: 127.0.0.1:\(webPort), mode: http, pool: web, retries: 1, http: { request_timeout: 1s } }
                  solo_tcp: { bind: 127.0.0.1:\(soloTCPPort), mode: tcp, pool: solo }
                  solo_http: { bind: 127.0.0.1:\(soloHTTPPort), mode: http, pool: solo }
                  silent: { bind: 127.0.0.1:\(silentPort), mode: http, pool: silent, http: { server_timeout: 1s } }
                  reset: { bind: 127.0.0.1:\(resetPort), mode: http, pool: reset }
                pools:
                  web:
                    servers:
                      - { name: gone, address: 127.0.0.1:\(closedPort) }
                      - { name: web0, address: 127.0.0.1:\(web0.port) }
                    check: { kind: none }
                  solo:
                    servers: [{ name: web1, address: 127.0.0.1:\(web1.port) }]
                    check: { kind: none }
                  silent:
                    servers: [{ name: mute, address: 127.0.0.1:\(silent.port) }]
                    check: { kind: none }
                  reset:
                    servers: [{ name: resetter, address: 127.0.0.1:\(resetter.port) }]
                    check: { kind: none }
                stats: { bind: 127.0.0.1:\(statsPort) }
                global: { control_socket: \(socket) }
                """,
            directory: directory)
        defer { vipd.stop() }

        // A connect error on the closed port, retried on web0, which takes it (round robin: two GETs
        // make sure one of them goes to the closed port first).
        let get = "GET /whoami HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n"
        try moves(#"vipd_server_connect_errors_total{pool="web",server="gone"}"#) {
            for _ in 0..<2 { XCTAssertEqual(try send(get, port: webPort).responses.map(\.status), [200]) }
        }
        let text = try metrics()
        XCTAssertGreaterThan(value(#"vipd_server_retries_total{pool="web",server="gone"}"#, in: text), 0)
        XCTAssertGreaterThan(value(#"vipd_server_redispatches_total{pool="web",server="web0"}"#, in: text), 0)
        XCTAssertEqual(value(#"vipd_server_http_responses_total{pool="web",server="web0",code="2xx"}"#, in: text), 2)
        XCTAssertEqual(value(#"vipd_server_http_requests_total{pool="web",server="web0"}"#, in: text), 2)
        XCTAssertEqual(value(#"vipd_server_connections_total{pool="web",server="web0"}"#, in: text), 0, "requests are not connections")
        XCTAssertEqual(value(#"vipd_listener_connections_total{listener="web",pool="web"}"#, in: text), 2)

        // A bad request (HTTP/1.1 without Host) and a client that sends nothing: 400 and 408.
        try moves(#"vipd_listener_bad_requests_total{listener="web",pool="web"}"#) {
            XCTAssertEqual(try send("GET / HTTP/1.1\r\n\r\n", port: webPort).responses.map(\.status), [400])
        }
        try moves(#"vipd_listener_request_timeouts_total{listener="web",pool="web"}"#) {
            let exchange = try HTTPProbe.exchange(address: "127.0.0.1", port: webPort, sending: [], timeout: .seconds(15))
            XCTAssertEqual(exchange.responses.map(\.status), [408])
        }
        XCTAssertEqual(value(#"vipd_listener_http_responses_total{listener="web",pool="web",code="4xx"}"#, in: try metrics()), 2)

        // A server that never answers (504) and one that drops the request (502).
        try moves(#"vipd_server_timeouts_total{pool="silent",server="mute"}"#) {
            XCTAssertEqual(try send(get, port: silentPort).responses.map(\.status), [504])
        }
        try moves(#"vipd_server_response_errors_total{pool="reset",server="resetter"}"#) {
            let post = "POST / HTTP/1.1\r\nHost: vip\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi"
            XCTAssertEqual(try send(post, port: resetPort).responses.map(\.status), [502])
        }
        XCTAssertEqual(value(#"vipd_listener_http_responses_total{listener="silent",pool="silent",code="5xx"}"#, in: try metrics()), 1)

        // The only server drained: TCP connections and HTTP requests are refused for want of a server.
        let drain = try VipdProcess.ctl(socket: socket, ["drain", "solo/web1"])
        XCTAssertEqual(drain.exitStatus, 0, drain.standardError)
        XCTAssertEqual(value(#"vipd_pool_servers_usable{pool="solo"}"#, in: try metrics()), 0)
        XCTAssertEqual(value(#"vipd_pool_servers_up{pool="solo"}"#, in: try metrics()), 1, "drained, still passing checks")
        try moves(#"vipd_listener_no_server_refusals_total{listener="solo_tcp",pool="solo"}"#) {
            let exchange = try HTTPProbe.exchange(address: "127.0.0.1", port: soloTCPPort, sending: [], timeout: .seconds(15))
            XCTAssertTrue(exchange.closedByServer)
        }
        try moves(#"vipd_listener_no_server_refusals_total{listener="solo_http",pool="solo"}"#) {
            XCTAssertEqual(try send(get, port: soloHTTPPort).responses.map(\.status), [503])
        }
        XCTAssertTrue(vipd.log.contains("end=no-server"), vipd.log)

        // The process metrics of the Prometheus client libraries.
        let final = try metrics()
        XCTAssertGreaterThan(value("process_resident_memory_bytes", in: final), 1_000_000)
        XCTAssertGreaterThan(value("process_open_fds", in: final), 5)
        XCTAssertGreaterThan(value("process_start_time_seconds", in: final), Date().timeIntervalSince1970 - 3600)
        XCTAssertFalse(final.contains("vipd_connections_total"), "the old name counted HTTP requests as connections")

        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool"), "promtool not installed (apt-get install prometheus)")
        let metricsFile = directory.file("metrics.txt")
        try final.write(to: metricsFile, atomically: true, encoding: .utf8)
        let check = try ProcessRunner.run(
            URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", "/usr/bin/promtool check metrics < '\(metricsFile.path)'"],
            timeout: .seconds(60))
        XCTAssertEqual(check.exitStatus, 0, "promtool check metrics:\n\(check.standardOutput)\(check.standardError)")
        XCTAssertEqual(check.standardOutput + check.standardError, "", "promtool finds nothing to say")
    }
}
