import NIOCore
import NIOPosix
import VipdConfig
import VipdCore
import VipdHealth
import XCTest

final class SSHBannerCheckTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!

    override func setUp() { group = MultiThreadedEventLoopGroup(numberOfThreads: 1) }
    override func tearDown() { try? group.syncShutdownGracefully() }

    private func check(_ script: ServerScript, pattern: String = HealthCheckKind.defaultSSHBannerPattern,
                       timeout: Duration = .seconds(2)) throws -> (CheckOutcome, ScriptedServer) {
        let server = try ScriptedServer(group: group, script: script)
        let outcome = try SSHBannerCheck(pattern: pattern).run(against: server.endpoint, timeout: timeout, on: group.next()).wait()
        return (outcome, server)
    }

    func testPassesOnSSHBannerAndClosesPolitely() throws {
        let (outcome, server) = try check(.banner("SSH-2.0-x\r\n"))
        defer { try? server.closeListener() }
        XCTAssertTrue(outcome.passed, outcome.detail)
        XCTAssertEqual(outcome.detail, #"SSH banner "SSH-2.0-x""#)
        // The server got our identification, then an orderly end of stream (no reset).
        XCTAssertTrue(waitUntil { server.records.withLockedValue { $0.first?.closed ?? false } })
        let record = server.records.withLockedValue { $0[0] }
        XCTAssertEqual(String(decoding: record.received, as: UTF8.self), "SSH-2.0-vipd-check\r\n")
        XCTAssertTrue(record.sawEOF)
        XCTAssertNil(record.error)
    }

    func testBannerWithoutCarriageReturnAndRealisticVersion() throws {
        let (outcome, server) = try check(.banner("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\n"))
        defer { try? server.closeListener() }
        XCTAssertTrue(outcome.passed)
        XCTAssertEqual(outcome.detail, #"SSH banner "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3""#)
    }

    func testTimesOutOnSilentServerWhileTCPCheckPasses() throws {
        let (outcome, server) = try check(.silent, timeout: .milliseconds(300))
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, "no SSH banner within 300 ms")
        XCTAssertGreaterThanOrEqual(outcome.duration, .milliseconds(290))
        XCTAssertLessThan(outcome.duration, .seconds(3))
        let tcp = try TCPConnectCheck().run(against: server.endpoint, timeout: .milliseconds(300), on: group.next()).wait()
        XCTAssertTrue(tcp.passed, tcp.detail)
    }

    func testIncompleteBannerTimesOutWithWhatArrived() throws {
        let (outcome, server) = try check(.banner("SSH-2.0-Op"), timeout: .milliseconds(200))
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, #"incomplete SSH banner "SSH-2.0-Op" within 200 ms"#)
    }

    func testFailsOnNonMatchingBanner() throws {
        let (outcome, server) = try check(.banner("SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n"), pattern: #"^SSH-2\.0-Dropbear"#)
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, #"banner "SSH-2.0-OpenSSH_9.2p1 Debian-2" does not match ^SSH-2\.0-Dropbear"#)
        let (http, server2) = try check(.banner("HTTP/1.1 400 Bad Request\r\n"))
        defer { try? server2.closeListener() }
        XCTAssertEqual(http.detail, #"banner "HTTP/1.1 400 Bad Request" does not match ^SSH-2\.0-"#)
    }

    func testControlCharactersAreEscapedInDetail() throws {
        let (outcome, server) = try check(.banner("\u{1b}[31mEVIL\"\r\n"))
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, #"banner "\x1B[31mEVIL\"" does not match ^SSH-2\.0-"#)
    }

    func testLineLongerThan255BytesFails() throws {
        let (outcome, server) = try check(.banner(String(repeating: "A", count: 300)))
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertTrue(outcome.detail.hasPrefix("no end of line in the first 255 bytes"), outcome.detail)
    }

    func testServerClosingBeforeBanner() throws {
        let (outcome, server) = try check(ServerScript(closeAtOnce: true))
        defer { try? server.closeListener() }
        XCTAssertFalse(outcome.passed)
        XCTAssertEqual(outcome.detail, "connection closed by server before SSH banner")
        let (partial, server2) = try check(ServerScript(greeting: Array("SSH-2.0".utf8), closeAtOnce: true))
        defer { try? server2.closeListener() }
        XCTAssertEqual(partial.detail, #"connection closed by server after "SSH-2.0", before end of SSH banner"#)
    }

    func testRefused() throws {
        let outcome = try SSHBannerCheck().run(against: try closedPort(group: group), timeout: .seconds(2), on: group.next()).wait()
        XCTAssertEqual(outcome.detail, "connection refused")
    }

    func testInvalidPattern() throws {
        let outcome = try SSHBannerCheck(pattern: "(").run(
            against: SocketEndpoint(parsing: "127.0.0.1:9")!, timeout: .seconds(1), on: group.next()).wait()
        XCTAssertFalse(outcome.passed)
        XCTAssertTrue(outcome.detail.hasPrefix("invalid banner pattern ("), outcome.detail)
    }
}
