import Foundation
import VipdLab
import XCTest

/// `vipd run` refuses to start, naming the process and the fix, when another program already
/// listens where a listener wants to bind (seed 001's sshd on 0.0.0.0:22).
final class RunPreflightTests: XCTestCase {
    func testSSHDOnTheWildcardIsNamedWithItsPidAndVipdRefusesToStart() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        guard SSHDaemon.isAvailable else { throw XCTSkip("OpenSSH (sshd, ssh, ssh-keygen) is not installed") }
        let namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("pre"))
        defer { namespace.delete() }
        let directory = try LabDirectory(prefix: "vipd-preflight")
        defer { directory.remove() }
        let keys = try LabKeys.generate(in: directory)
        let sshd = try SSHDaemon.start(
            name: "wildcard", address: "0.0.0.0", port: 22, keys: keys, directory: directory, namespace: namespace)
        defer { sshd.stop() }
        let config = directory.file("vipd.yaml")
        try """
        listeners:
          ssh: { bind: 127.0.0.1:22, pool: ssh }
        pools:
          ssh:
            servers: [{ name: local, address: 127.0.0.1:2222 }]
            check: { kind: ssh-banner }
        """.write(to: config, atomically: true, encoding: .utf8)

        let output = try ProcessRunner.run(
            NetworkNamespace.ipTool,
            arguments: ["netns", "exec", namespace.name, VipdProcess.binary.path, "run", "--config", config.path],
            timeout: .seconds(60))

        XCTAssertEqual(output.exitStatus, 1, output.standardError)
        XCTAssertTrue(output.standardError.contains("0.0.0.0:22 is held by sshd"), output.standardError)
        XCTAssertTrue(output.standardError.contains("so vipd cannot bind 127.0.0.1:22"), output.standardError)
        XCTAssertTrue(output.standardError.contains("fix: vipd sshd-snippet --write"), output.standardError)
        XCTAssertFalse(output.standardError.contains("vipd ready"), output.standardError)
        let pid = try String(contentsOf: directory.file("wildcard.pid"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        XCTAssertTrue(output.standardError.contains("(pid \(pid))"), output.standardError)
    }

    /// Ubuntu's ssh.socket: systemd holds [::]:22 or 0.0.0.0:22 for sshd. A process named `systemd` holds
    /// 0.0.0.0:22 in a namespace; vipd names ssh.socket, not "systemd", with the socket unit's commands.
    func testSystemdHoldingPort22IsNamedSSHSocketWithItsCommands() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { throw XCTSkip("python3 is not installed") }
        guard ["/usr/lib/systemd/system/ssh.socket", "/lib/systemd/system/ssh.socket"].contains(where: { FileManager.default.fileExists(atPath: $0) })
        else { throw XCTSkip("no ssh.socket unit is installed (openssh-server on Debian and Ubuntu ships one)") }
        let answer = try? ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/systemctl"), arguments: ["is-active", "ssh.socket"], timeout: .seconds(10))
        if ["inactive", "failed"].contains(answer?.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""),
            !FileManager.default.fileExists(atPath: "/etc/systemd/system/sockets.target.wants/ssh.socket")
        {
            throw XCTSkip("systemd says ssh.socket is off here, so a systemd socket on :22 is not sshd's")
        }
        let namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("pre"))
        defer { namespace.delete() }
        let directory = try LabDirectory(prefix: "vipd-preflight")
        defer { directory.remove() }
        let script = """
            import ctypes, socket, time
            ctypes.CDLL(None).prctl(15, b"systemd", 0, 0, 0)
            s = socket.socket(); s.bind(("0.0.0.0", 22)); s.listen()
            print("listening", flush=True)
            time.sleep(60)
            """
        let holder = try ChildProcess.spawn(
            NetworkNamespace.ipTool, arguments: ["netns", "exec", namespace.name, python.path, "-c", script],
            appendingOutputTo: directory.file("systemd.log"))
        defer { holder.terminate(grace: .seconds(2)) }
        let deadline = ContinuousClock.now + .seconds(20)
        while (try? String(contentsOf: directory.file("systemd.log"), encoding: .utf8))?.contains("listening") != true {
            guard ContinuousClock.now < deadline else { return XCTFail("the holder did not listen") }
            Thread.sleep(forTimeInterval: 0.05)
        }
        let config = directory.file("vipd.yaml")
        try """
        listeners:
          ssh: { bind: 127.0.0.1:22, pool: ssh }
        pools:
          ssh:
            servers: [{ name: local, address: 127.0.0.1:2222 }]
        """.write(to: config, atomically: true, encoding: .utf8)

        let output = try ProcessRunner.run(
            NetworkNamespace.ipTool,
            arguments: ["netns", "exec", namespace.name, VipdProcess.binary.path, "run", "--config", config.path],
            timeout: .seconds(60))

        XCTAssertEqual(output.exitStatus, 1, output.standardError)
        XCTAssertTrue(
            output.standardError.contains("0.0.0.0:22 is held by ssh.socket (systemd (pid \(holder.pid))), so vipd cannot bind 127.0.0.1:22"),
            output.standardError)
        XCTAssertTrue(
            output.standardError.contains("fix: ssh.socket listens there for sshd (systemd socket activation): vipd sshd-snippet --write"),
            output.standardError)
        XCTAssertTrue(output.standardError.contains("systemctl daemon-reload && systemctl restart ssh.socket"), output.standardError)
    }
}
