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
}
