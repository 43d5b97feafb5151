import NIOCore
import NIOPosix
import VipdConfig
import VipdHealth
import XCTest

final class TCPConnectCheckTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    func testPassesAgainstListener() throws {
        let server = try ScriptedServer(group: group, script: .silent)
        defer { try? server.closeListener() }
        let outcome = try TCPConnectCheck().run(against: server.endpoint, timeout: .seconds(2), on: group.next()).wait()
        XCTAssertTrue(outcome.passed, outcome.detail)
        XCTAssertEqual(outcome.detail, "TCP connection established")
        XCTAssertLessThan(outcome.duration, .seconds(2))
    }

    func testFailsQuicklyOnClosedPort() throws {
        let endpoint = try closedPort(group: group)
        let started = ContinuousClock.now
        let outcome = try TCPConnectCheck().run(against: endpoint, timeout: .seconds(10), on: group.next()).wait()
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, "connection refused")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "refused must not wait for the timeout")
    }

    func testMakeHealthCheckKinds() {
        XCTAssertTrue(makeHealthCheck(.tcp, pool: "p", server: "s") is TCPConnectCheck)
        XCTAssertEqual((makeHealthCheck(.sshBanner(pattern: "^SSH-"), pool: "p", server: "s") as? SSHBannerCheck)?.pattern, "^SSH-")
        XCTAssertEqual(
            (makeHealthCheck(.http(HTTPCheckSettings(path: "/health")), pool: "p", server: "s") as? HTTPCheck)?.settings.path, "/health")
        let exec = makeHealthCheck(.exec(command: "true"), pool: "web", server: "web1") as? ExecCheck
        XCTAssertEqual([exec?.command, exec?.pool, exec?.server], ["true", "web", "web1"])
    }

    func testRunFromOutsideTheEventLoopAndManyAtOnce() throws {
        let server = try ScriptedServer(group: group, script: .silent)
        defer { try? server.closeListener() }
        let futures = (0..<20).map { _ in TCPConnectCheck().run(against: server.endpoint, timeout: .seconds(2), on: group.next()) }
        for outcome in try futures.map({ try $0.wait() }) { XCTAssertTrue(outcome.passed, outcome.detail) }
    }
}
