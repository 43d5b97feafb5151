import Foundation
import VipdLab
import XCTest

/// The lab itself works: real sshd daemons on loopback, real ssh logins with the lab key,
/// and a stopped daemon refuses logins until it is restarted.
final class LabSmokeTests: XCTestCase {
    private var directory: LabDirectory?
    private var daemons: [SSHDaemon] = []

    override func tearDown() {
        daemons.forEach { $0.stop() }
        daemons = []
        directory?.remove()
        directory = nil
        super.tearDown()
    }

    func testTwoDaemonsServeLoginsAndSurviveStopRestart() throws {
        try XCTSkipUnless(
            SSHDaemon.isAvailable,
            "OpenSSH is not installed (need sshd, ssh and ssh-keygen); install openssh-server and openssh-client"
        )
        let directory = try LabDirectory(prefix: "vipd-lab-smoke")
        self.directory = directory
        let keys = try LabKeys.generate(in: directory)

        let first = try SSHDaemon.start(name: "first", port: try FreePort.allocate(), keys: keys, directory: directory)
        daemons.append(first)
        let second = try SSHDaemon.start(name: "second", port: try FreePort.allocate(), keys: keys, directory: directory)
        daemons.append(second)
        XCTAssertNotEqual(first.port, second.port)

        let client = SSHClient(keys: keys)
        XCTAssertEqual(try client.serverPort(host: first.address, port: first.port), first.port)
        XCTAssertEqual(try client.serverPort(host: second.address, port: second.port), second.port)

        first.stop()
        XCTAssertFalse(first.isRunning)
        XCTAssertThrowsError(try client.serverPort(host: first.address, port: first.port, timeout: .seconds(10)))
        XCTAssertEqual(try client.serverPort(host: second.address, port: second.port), second.port)

        try first.restart()
        XCTAssertTrue(first.isRunning)
        XCTAssertEqual(try client.serverPort(host: first.address, port: first.port), first.port)

        let log = try String(contentsOf: first.logURL, encoding: .utf8)
        XCTAssertTrue(log.contains("Accepted publickey"), "sshd log should record the logins:\n\(log)")
    }

    func testRunReportsRemoteExitStatusAndOutput() throws {
        try XCTSkipUnless(
            SSHDaemon.isAvailable,
            "OpenSSH is not installed (need sshd, ssh and ssh-keygen); install openssh-server and openssh-client"
        )
        let directory = try LabDirectory(prefix: "vipd-lab-smoke")
        self.directory = directory
        let keys = try LabKeys.generate(in: directory)
        let daemon = try SSHDaemon.start(name: "only", port: try FreePort.allocate(), keys: keys, directory: directory)
        daemons.append(daemon)

        let result = try SSHClient(keys: keys).run(
            host: daemon.address, port: daemon.port, command: "echo out; echo err >&2; exit 3"
        )
        XCTAssertEqual(result.exitStatus, 3)
        XCTAssertEqual(result.standardOutput, "out\n")
        XCTAssertEqual(result.standardError, "err\n")
    }
}
