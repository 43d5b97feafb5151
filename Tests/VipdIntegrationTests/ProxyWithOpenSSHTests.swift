import Foundation
import VipdLab
import XCTest

/// `vipd run` in front of two real OpenSSH sshd, driven by the real ssh client (seed 001's story).
final class ProxyWithOpenSSHTests: TwoSSHDTestCase {
    private func yaml(interval: String = "500ms", extraListener: String = "") -> String {
        """
        listeners:
          ssh: { bind: 127.0.0.1:\(vipPort), pool: ssh }
        \(extraListener)
        pools:
          ssh:
            servers:
              - { name: ha0, address: 127.0.0.1:\(ha0.port) }
              - { name: ha1, address: 127.0.0.1:\(ha1.port) }
            check: { kind: ssh-banner, interval: \(interval), timeout: 5s, fall: 2, rise: 2 }
        global: { drain_timeout: 20s }
        """
    }

    private func loginServers(_ count: Int, port: Int? = nil) throws -> [String] {
        try (0..<count).map { _ in
            let served = try client.serverPort(host: "127.0.0.1", port: port ?? vipPort)
            return served == ha0.port ? "ha0" : served == ha1.port ? "ha1" : "port \(served)"
        }
    }

    func testLoginsAlternateRoundRobin() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let servers = try loginServers(6)
        XCTAssertEqual(servers.filter { $0 == "ha0" }.count, 3, "\(servers)")
        XCTAssertEqual(servers.filter { $0 == "ha1" }.count, 3, "\(servers)")
        for (previous, next) in zip(servers, servers.dropFirst()) {
            XCTAssertNotEqual(previous, next, "round robin alternates: \(servers)")
        }
        XCTAssertTrue(vipd.log.contains("ssh ssh/ha0 connect="), "one log line per finished connection:\n\(vipd.log)")
    }

    func testStoppedServerIsTakenOutAndRejoins() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        ha1.stop()
        try vipd.waitForLog(containing: "server ssh/ha1 is DOWN", timeout: 30)
        XCTAssertEqual(try loginServers(4), ["ha0", "ha0", "ha0", "ha0"])
        try ha1.restart()
        try vipd.waitForLog(containing: "server ssh/ha1 is UP", count: 2, timeout: 30)  // the first is at start
        XCTAssertEqual(Set(try loginServers(4)), ["ha0", "ha1"])
    }

    func testAllServersDownClosesTheClientAtOnceAndLogsIt() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        ha0.stop()
        ha1.stop()
        try vipd.waitForLog(containing: "pool ssh has no server available", timeout: 30)
        let started = Date()
        let result = try client.run(host: "127.0.0.1", port: vipPort, command: "true", timeout: .seconds(30))
        XCTAssertNotEqual(result.exitStatus, 0)
        XCTAssertLessThan(Date().timeIntervalSince(started), 10, "the client must be closed at once, not left hanging")
        try vipd.waitForLog(containing: "end=no-server", timeout: 10)
    }

    func testReloadKeepsAnOpenSessionAndRejectsABadFile() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let session = BackgroundSSH(client: client, port: vipPort, command: "sleep 4; echo still-here")
        Thread.sleep(forTimeInterval: 1.5)

        let secondPort = try FreePort.allocate()
        try vipd.rewriteConfig(yaml(interval: "1s", extraListener: "  ssh2: { bind: 127.0.0.1:\(secondPort), pool: ssh }"))
        vipd.signal(SIGHUP)
        try vipd.waitForLog(containing: "reload done", timeout: 30)
        XCTAssertEqual(Set(try loginServers(2, port: secondPort)), ["ha0", "ha1"], "the new listener serves")

        try vipd.rewriteConfig("listeners:\n  ssh: { bind: nonsense, pool: nowhere }\n")
        vipd.signal(SIGHUP)
        try vipd.waitForLog(containing: "reload rejected", timeout: 30)
        XCTAssertTrue(vipd.log.contains("vipd.yaml:2:"), "the rejected file's errors are logged with line numbers:\n\(vipd.log)")
        XCTAssertEqual(try loginServers(2).count, 2, "the old configuration keeps serving")

        let result = try session.wait(timeout: 30)
        XCTAssertEqual(result.exitStatus, 0, result.standardError)
        XCTAssertEqual(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), "still-here")
    }

    func testSIGTERMStopsAcceptingAndDrainsEstablishedSessions() throws {
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        let session = BackgroundSSH(client: client, port: vipPort, command: "sleep 3; echo drained")
        Thread.sleep(forTimeInterval: 1.5)
        vipd.signal(SIGTERM)
        try vipd.waitForLog(containing: "draining", timeout: 10)
        let refused = try client.run(host: "127.0.0.1", port: vipPort, command: "true", timeout: .seconds(20))
        XCTAssertNotEqual(refused.exitStatus, 0, "no new connections after SIGTERM")
        let result = try session.wait(timeout: 30)
        XCTAssertEqual(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), "drained", result.standardError)
        XCTAssertEqual(vipd.waitForExit(timeout: 30), 0, vipd.log)
    }
}

/// An ssh command running on a background thread.
final class BackgroundSSH: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<SSHResult, any Error>?

    init(client: SSHClient, port: Int, command: String) {
        Thread.detachNewThread { [self] in
            result = Result { try client.run(host: "127.0.0.1", port: port, command: command, timeout: .seconds(60)) }
            done.signal()
        }
    }

    func wait(timeout: TimeInterval) throws -> SSHResult {
        guard done.wait(timeout: .now() + timeout) == .success, let result else {
            throw VipdProcessError.timedOut(waitingFor: "ssh session", log: "")
        }
        return try result.get()
    }
}
