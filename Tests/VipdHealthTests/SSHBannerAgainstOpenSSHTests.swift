import Foundation
import NIOCore
import NIOPosix
import VipdConfig
import VipdHealth
import XCTest

/// The banner check against a real OpenSSH sshd on 127.0.0.1, and what sshd logs about it.
final class SSHBannerAgainstOpenSSHTests: XCTestCase {
    /// A throwaway sshd: temporary directory, host key, config and log; killed by PID.
    final class TemporarySSHD {
        let directory: URL
        let port: Int
        let process = Process()
        var logFile: URL { directory.appendingPathComponent("sshd.log") }

        init(port: Int) throws {
            self.port = port
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-health-sshd-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            let key = directory.appendingPathComponent("host_ed25519").path
            try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key])
            let config = directory.appendingPathComponent("sshd_config")
            try """
                ListenAddress 127.0.0.1:\(port)
                HostKey \(key)
                PidFile \(directory.appendingPathComponent("sshd.pid").path)
                LogLevel INFO
                UsePAM no

                """.write(to: config, atomically: true, encoding: .utf8)
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/sshd")
            process.arguments = ["-D", "-e", "-f", config.path, "-E", logFile.path]
            try process.run()
            guard waitUntil(timeout: .seconds(10), { self.log.contains("Server listening on 127.0.0.1 port \(port)") }) else {
                stop()
                throw XCTSkip("sshd did not start: \(log)")
            }
        }

        var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(at: directory)
        }

        static func run(_ path: String, _ arguments: [String]) throws {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw XCTSkip("\(path) failed") }
        }
    }

    func testBannerCheckAgainstOpenSSHLeavesOneInfoLinePerCheck() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") else { throw XCTSkip("/usr/sbin/sshd is missing") }
        guard getuid() == 0 else { throw XCTSkip("sshd needs root to start (privilege separation)") }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        defer { try? group.syncShutdownGracefully() }
        let port = try closedPort(group: group).port
        let sshd = try TemporarySSHD(port: port)
        defer { sshd.stop() }
        let endpoint = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: port)

        let checks = 3
        for _ in 0..<checks {
            let outcome = try SSHBannerCheck().run(against: endpoint, timeout: .seconds(2), on: group.next()).wait()
            XCTAssertTrue(outcome.passed, outcome.detail)
            XCTAssertTrue(outcome.detail.hasPrefix(#"SSH banner "SSH-2.0-OpenSSH_"#), outcome.detail)
        }
        let closedLines = { sshd.log.split(separator: "\n").filter { $0.hasPrefix("Connection closed by 127.0.0.1") } }
        XCTAssertTrue(waitUntil(timeout: .seconds(10)) { closedLines().count == checks }, sshd.log)
        let lines = sshd.log.split(separator: "\n").filter { !$0.hasPrefix("Server listening") }
        XCTAssertEqual(lines.count, checks, "one line per check: \(sshd.log)")
        XCTAssertTrue(lines.allSatisfy { $0.hasSuffix("[preauth]") }, sshd.log)
        XCTAssertFalse(sshd.log.contains("kex_exchange_identification"), sshd.log)
        XCTAssertFalse(sshd.log.contains("reset"), sshd.log)

        // The plain TCP check (closed with a reset) leaves nothing at all.
        let before = sshd.log
        let tcp = try TCPConnectCheck().run(against: endpoint, timeout: .seconds(2), on: group.next()).wait()
        XCTAssertTrue(tcp.passed)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(sshd.log, before)
    }
}
