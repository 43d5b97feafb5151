import Foundation
import NIOCore
import NIOPosix
import VipdCore
import VipdHealth
import XCTest

/// `kind: exec` on the real /bin/sh: exit status 0 passes, anything else and a timeout fail with
/// the reason, and the command sees the server in its environment.
final class ExecCheckTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private let endpoint = SocketEndpoint(parsing: "192.0.2.7:8080")!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    private func run(_ command: String, timeout: Duration = .seconds(30)) throws -> CheckOutcome {
        try ExecCheck(command: command, pool: "web", server: "web1").run(against: endpoint, timeout: timeout, on: group.next()).wait()
    }

    func testExitStatusZeroPasses() throws {
        let outcome = try run("exit 0")
        XCTAssertTrue(outcome.passed)
        XCTAssertEqual(outcome.detail, "exit status 0")
    }

    func testOtherStatusesFailWithTheStatus() throws {
        for status in [1, 2, 255] {
            let outcome = try run("exit \(status)")
            XCTAssertFalse(outcome.passed)
            XCTAssertEqual(outcome.detail, "exit status \(status)")
        }
    }

    func testCommandOutlivingTheTimeoutIsKilledAndFails() throws {
        let started = ContinuousClock.now
        let outcome = try run("sleep 60", timeout: .milliseconds(300))
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, "timed out after 300 ms, killed")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
        XCTAssertGreaterThanOrEqual(outcome.duration, .milliseconds(300))
    }

    func testTheServerIsInTheEnvironment() throws {
        let passed = try run(#"[ "$VIPD_POOL $VIPD_SERVER $VIPD_SERVER_ADDRESS $VIPD_SERVER_PORT" = "web web1 192.0.2.7 8080" ] && [ -n "$PATH" ]"#)
        XCTAssertTrue(passed.passed, passed.detail)
        let six = try ExecCheck(command: #"[ "$VIPD_SERVER_ADDRESS" = 2001:db8::7 ]"#, pool: "p", server: "s")
            .run(against: SocketEndpoint(parsing: "[2001:db8::7]:22")!, timeout: .seconds(30), on: group.next()).wait()
        XCTAssertTrue(six.passed, "the address without brackets: \(six.detail)")
    }

    func testEnvironmentKeepsVipdsOwnAndAddsTheServers() {
        let check = ExecCheck(command: "true", pool: "db", server: "db1")
        XCTAssertEqual(
            check.environment(for: SocketEndpoint(parsing: "10.0.0.5:5432")!, inheriting: ["PATH": "/usr/bin", "VIPD_SERVER": "old"]),
            ["PATH": "/usr/bin", "VIPD_POOL": "db", "VIPD_SERVER": "db1", "VIPD_SERVER_ADDRESS": "10.0.0.5", "VIPD_SERVER_PORT": "5432"])
    }
}
