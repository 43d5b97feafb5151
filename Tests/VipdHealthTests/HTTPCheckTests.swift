import NIOCore
import NIOPosix
import VipdConfig
import VipdCore
import VipdHealth
import XCTest

final class HTTPCheckTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    private func check(_ response: String, settings: HTTPCheckSettings = HTTPCheckSettings(),
                       timeout: Duration = .seconds(2)) throws -> (CheckOutcome, ScriptedServer) {
        let server = try ScriptedServer(group: group, script: .http(response))
        let outcome = try HTTPCheck(settings: settings).run(against: server.endpoint, timeout: timeout, on: group.next()).wait()
        return (outcome, server)
    }

    func testPassesOn200AndSendsAProperRequest() throws {
        let (outcome, server) = try check("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
        defer { try? server.closeListener() }
        XCTAssertTrue(outcome.passed, outcome.detail)
        XCTAssertEqual(outcome.detail, "HTTP status 200")
        let request = String(decoding: server.records.withLockedValue { $0[0].received }, as: UTF8.self)
        XCTAssertTrue(request.hasPrefix("GET / HTTP/1.1\r\nHost: 127.0.0.1:\(server.port)\r\n"), request)
        XCTAssertTrue(request.contains("\r\nConnection: close\r\n"))
        XCTAssertTrue(request.hasSuffix("\r\n\r\n"))
    }

    func testFailsOn503() throws {
        let (outcome, server) = try check("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, "HTTP status 503, expected 200")
    }

    func testExpectedListAndSettings() throws {
        let settings = HTTPCheckSettings(method: "HEAD", path: "/health", host: "www.example.org", expectStatus: [200, 204, 301])
        let (outcome, server) = try check("HTTP/1.0 204 No Content\r\n\r\n", settings: settings)
        defer { try? server.closeListener() }
        XCTAssertTrue(outcome.passed)
        let request = String(decoding: server.records.withLockedValue { $0[0].received }, as: UTF8.self)
        XCTAssertTrue(request.hasPrefix("HEAD /health HTTP/1.1\r\nHost: www.example.org\r\n"), request)
        let (failed, server2) = try check("HTTP/1.1 500 Oops\r\n\r\n", settings: settings)
        defer { try? server2.closeListener() }
        XCTAssertEqual(failed.detail, "HTTP status 500, expected 200, 204 or 301")
    }

    func testGarbageResponse() throws {
        let (outcome, server) = try check("hello there\r\n\r\n")
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, #"invalid HTTP status line "hello there""#)
    }

    func testServerClosingWithoutResponse() throws {
        let (outcome, server) = try check("")
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, "connection closed by server before HTTP response")
    }

    func testSilentServerTimesOut() throws {
        let server = try ScriptedServer(group: group, script: .silent)
        defer { try? server.closeListener() }
        let outcome = try HTTPCheck().run(against: server.endpoint, timeout: .milliseconds(200), on: group.next()).wait()
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, "no HTTP response within 200 ms")
    }

    func testRefused() throws {
        let outcome = try HTTPCheck().run(against: try closedPort(group: group), timeout: .seconds(2), on: group.next()).wait()
        XCTAssertEqual(outcome.detail, "connection refused")
    }

    func testIPv6HostHeader() {
        let check = HTTPCheck()
        XCTAssertTrue(check.request(for: SocketEndpoint(parsing: "[::1]:80")!).contains("\r\nHost: [::1]\r\n"))
        XCTAssertTrue(check.request(for: SocketEndpoint(parsing: "[::1]:8080")!).contains("\r\nHost: [::1]:8080\r\n"))
    }
}
