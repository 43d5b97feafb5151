import Foundation
import NIOCore
import NIOPosix
import VipdCore
import VipdHealth
import VipdLab
import XCTest

/// The banner check against a real OpenSSH sshd on 127.0.0.1, and what sshd logs about it
/// (see docs/health-check-noise.md for the comparison with haproxy).
final class SSHBannerAgainstOpenSSHTests: XCTestCase {
    func testBannerCheckAgainstOpenSSHLeavesOneInfoLinePerCheck() throws {
        try XCTSkipUnless(SSHDaemon.isAvailable, "OpenSSH sshd/ssh not installed")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let directory = try LabDirectory(prefix: "vipd-health")
        defer { directory.remove() }
        let daemon = try SSHDaemon.start(name: "noise", port: try FreePort.allocate(), keys: try LabKeys.generate(in: directory), directory: directory)
        defer { daemon.stop() }
        let sshd = SSHDLog(url: daemon.logURL)
        let endpoint = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: daemon.port)

        // The lab's readiness probe leaves its own polite line; wait for it, then count ours.
        XCTAssertTrue(waitUntil(timeout: .seconds(10)) { sshd.log.contains("[preauth]") }, sshd.log)
        let baseline = sshd.log
        let checks = 3
        for _ in 0..<checks {
            let outcome = try SSHBannerCheck().run(against: endpoint, timeout: .seconds(10), on: group.next()).wait()
            XCTAssertTrue(outcome.passed, outcome.detail)
            XCTAssertTrue(outcome.detail.hasPrefix(#"SSH banner "SSH-2.0-OpenSSH_"#), outcome.detail)
        }
        let closedLines = { sshd.log.dropFirst(baseline.count).split(whereSeparator: \.isNewline).filter { $0.hasPrefix("Connection closed by 127.0.0.1") } }
        XCTAssertTrue(waitUntil(timeout: .seconds(10)) { closedLines().count == checks }, sshd.log)
        let lines = sshd.log.dropFirst(baseline.count).split(whereSeparator: \.isNewline)
        XCTAssertEqual(lines.count, checks, "one line per check: \(sshd.log)")
        XCTAssertTrue(lines.allSatisfy { $0.hasSuffix("[preauth]") }, sshd.log)
        XCTAssertFalse(sshd.log.contains("kex_exchange_identification"), sshd.log)
        XCTAssertFalse(sshd.log.contains("reset"), sshd.log)

        // The plain TCP check (closed with a reset) leaves nothing at all.
        let before = sshd.log
        let tcp = try TCPConnectCheck().run(against: endpoint, timeout: .seconds(10), on: group.next()).wait()
        XCTAssertTrue(tcp.passed)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(sshd.log, before)
    }
}

/// Reads sshd's -E log file.
private struct SSHDLog {
    let url: URL
    var log: String { (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
}
