import Foundation
import VipdLab
import XCTest

/// `vipd sshd-snippet` as an admin runs it, against a temporary main sshd_config and the real `sshd -t`:
/// written inside a lab node (a real sshd then listens only on the node's addresses), and every refusal.
final class SSHDSnippetCommandTests: XCTestCase {
    private var directory: LabDirectory!
    private var keys: LabKeys!
    private var main: URL { directory.file("sshd_config") }
    private var snippet: URL { directory.file("sshd_config.d/01-vipd.conf") }
    private var backup: URL { directory.file("sshd_config.d/01-vipd.conf.vipd-backup") }
    private var config: URL { directory.file("vipd.yaml") }
    private let handMade = "# seed 001's hand-made fix\nAddressFamily inet\nListenAddress 10.251.1.11\n"

    override func setUpWithError() throws {
        guard SSHDaemon.isAvailable else { throw XCTSkip("OpenSSH (sshd, ssh, ssh-keygen) is not installed") }
        directory = try LabDirectory(prefix: "vipd-sshd-snippet")
        keys = try LabKeys.generate(in: directory)
        try FileManager.default.createDirectory(at: directory.file("sshd_config.d"), withIntermediateDirectories: true)
        // `sshd -t` as root wants its privilege separation directory, which only sshd's unit creates.
        if getuid() == 0 { try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
    }

    override func tearDown() { directory?.remove() }

    /// A main sshd_config: the Include of our sshd_config.d first unless `include` is false, then `extra`.
    private func writeMain(include: Bool = true, extra: String = "") throws {
        let lines = (include ? ["Include \(directory.url.path)/sshd_config.d/*.conf"] : []) + [
            "HostKey \(keys.hostKey.path)", "PidFile \(directory.file("sshd.pid").path)", "UsePAM no", extra,
        ]
        try lines.joined(separator: "\n").write(to: main, atomically: true, encoding: .utf8)
    }

    private func writeConfig(ha0: String) throws {
        try """
            cluster:
              nodes:
                ha0: { \(ha0) }
                ha1: { address: 10.251.1.12 }
            listeners:
              ssh: { bind: 10.251.1.100:22, pool: ssh }
            pools:
              ssh: { servers: nodes:22 }
            """.write(to: config, atomically: true, encoding: .utf8)
    }

    private func sshdSnippet(_ arguments: [String], in namespace: NetworkNamespace? = nil) throws -> ProcessRunner.Output {
        let all = ["sshd-snippet", "--config", config.path, "--sshd-config", main.path] + arguments
        return try namespace?.execute(VipdProcess.binary, all, timeout: .seconds(60))
            ?? ProcessRunner.run(VipdProcess.binary, arguments: all, timeout: .seconds(60))
    }

    private func contents(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }

    func testWrittenInANodeThenARealSSHDListensOnlyOnTheNodeAddresses() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        let lab = try ClusterLab(nodeCount: 1)
        defer { lab.delete() }
        let node = lab.nodes[0]
        try writeConfig(ha0: "address: \(node.address), address6: \"\(node.address6)\"")
        try writeMain()
        try handMade.write(to: snippet, atomically: true, encoding: .utf8)

        // No --node: the node is found from the namespace's addresses, as on a real host.
        let output = try sshdSnippet(["--write"], in: node.namespace)
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
        XCTAssertTrue(
            output.standardOutput.contains(
                "wrote \(snippet.path) for node ha0 (the previous file is kept as \(backup.path)); sshd -t -f \(main.path) accepts the configuration."),
            output.standardOutput)
        XCTAssertTrue(output.standardOutput.contains("ss -ltnp 'sport = :22'"), output.standardOutput)
        XCTAssertEqual(contents(backup), handMade)
        let written = try XCTUnwrap(contents(snippet))
        XCTAssertTrue(written.hasSuffix("AddressFamily any\nListenAddress \(node.address)\nListenAddress \(node.address6)\n"), written)
        let mode = try FileManager.default.attributesOfItem(atPath: snippet.path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o644)

        let sshd = URL(fileURLWithPath: "/usr/sbin/sshd")
        let daemon = try ChildProcess.spawn(
            NetworkNamespace.ipTool,
            arguments: ["netns", "exec", node.namespace.name, sshd.path, "-D", "-e", "-f", main.path, "-E", directory.file("sshd.log").path],
            appendingOutputTo: directory.file("sshd.out"))
        defer { daemon.terminate(grace: .seconds(5)) }
        var listening: Set<String> = []
        let deadline = ContinuousClock.now + .seconds(20)
        while listening.count < 2, daemon.isRunning, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            let ss = try node.namespace.run(URL(fileURLWithPath: "/usr/bin/ss"), ["-ltnH", "sport = :22"])
            listening = Set(ss.standardOutput.split(separator: "\n").map { String($0.split(separator: " ", omittingEmptySubsequences: true)[3]) })
        }
        XCTAssertEqual(listening, ["\(node.address):22", "[\(node.address6)]:22"], contents(directory.file("sshd.log")) ?? "")
        let address = node.address
        let banner = try node.namespace.perform { BannerProbe.firstLine(address: address, port: 22, timeout: .seconds(5)) }
        XCTAssertTrue(banner?.hasPrefix("SSH-2.0-") ?? false, banner ?? "no banner")
    }

    func testRefusesWhereTheNodeAddressIsNotOnTheHostAndTouchesNothing() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        let elsewhere = try NetworkNamespace(name: NetworkNamespace.uniqueName("nonode"))
        defer { elsewhere.delete() }
        try writeConfig(ha0: "address: 10.251.1.11")
        try writeMain()
        try handMade.write(to: snippet, atomically: true, encoding: .utf8)

        let output = try sshdSnippet(["--node", "ha0", "--write"], in: elsewhere)
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(
            output.standardError.contains(
                "node ha0's address 10.251.1.11 is not configured on any interface of this host, so sshd could not listen on it and you would be locked out"),
            output.standardError)
        XCTAssertEqual(contents(snippet), handMade)
        XCTAssertNil(contents(backup))
    }

    func testRefusesWithoutAnIncludeOfTheSnippet() throws {
        try writeConfig(ha0: "address: 127.0.0.1")
        try writeMain(include: false)
        let output = try sshdSnippet(["--node", "ha0", "--write"])
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(
            output.standardError.contains(
                "\(main.path): no Include covers \(snippet.path), so sshd would never read the snippet; fix: add the line "
                    + "`Include \(directory.url.path)/sshd_config.d/*.conf` at the top of \(main.path)"),
            output.standardError)
        XCTAssertNil(contents(snippet))
    }

    func testRefusesWhileTheMainConfigHasItsOwnListenAddress() throws {
        try writeConfig(ha0: "address: 127.0.0.1")
        try writeMain(extra: "ListenAddress 0.0.0.0")
        try handMade.write(to: snippet, atomically: true, encoding: .utf8)
        let output = try sshdSnippet(["--node", "ha0", "--write"])
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("\(main.path):5: ListenAddress 0.0.0.0 adds to the snippet's"), output.standardError)
        XCTAssertTrue(output.standardError.contains("fix: delete line 5 of \(main.path)"), output.standardError)
        XCTAssertEqual(contents(snippet), handMade)
        XCTAssertNil(contents(backup))

        // Printing still works, and says what --write would refuse.
        let printed = try sshdSnippet(["--node", "ha0"])
        XCTAssertEqual(printed.exitStatus, 0, printed.standardError)
        XCTAssertTrue(printed.standardOutput.hasSuffix("AddressFamily inet\nListenAddress 127.0.0.1\n"), printed.standardOutput)
        XCTAssertTrue(printed.standardError.hasPrefix("note: --write would refuse:"), printed.standardError)
    }

    func testRejectedBySSHDTheVersionBeforeIsPutBack() throws {
        try writeConfig(ha0: "address: 127.0.0.1")
        try writeMain()
        try handMade.write(to: snippet, atomically: true, encoding: .utf8)
        try "NoSuchKeyword yes\n".write(to: directory.file("sshd_config.d/02-broken.conf"), atomically: true, encoding: .utf8)

        let output = try sshdSnippet(["--node", "ha0", "--write"])
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("sshd -t -f \(main.path) rejects the result: "), output.standardError)
        XCTAssertTrue(output.standardError.contains("NoSuchKeyword"), output.standardError)
        XCTAssertTrue(output.standardError.contains("the previous \(snippet.path) was put back"), output.standardError)
        XCTAssertEqual(contents(snippet), handMade)
        XCTAssertEqual(contents(backup), handMade)
    }

    func testUnknownNodeIsAnError() throws {
        try writeConfig(ha0: "address: 127.0.0.1")
        try writeMain()
        let output = try sshdSnippet(["--node", "ha9"])
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("--node ha9: no such node in cluster.nodes (known: ha0, ha1)"), output.standardError)
    }
}
