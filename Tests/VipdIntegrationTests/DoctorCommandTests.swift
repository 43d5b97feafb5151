import Foundation
import VipdLab
import XCTest

/// `vipd doctor` as an admin runs it on ha0 of a two-node lab (real sshd on each node's address):
/// a healthy node passes with exit 0, then each thing broken on real parts (an nftables drop, an
/// iptables drop, the interface down, the node address gone, a VIP outside the subnet, the peer's
/// sshd stopped, an invalid file) gives exit 2 and the FAIL line that names it.
final class DoctorCommandTests: XCTestCase {
    /// The lab, ha0's config file and a main sshd_config whose Include reads the vipd snippet.
    private struct Setup {
        let lab: VRRPLab
        let config: URL
        let sshdConfig: URL
    }

    private func makeSetup(yaml: String = VRRPLab.yaml()) throws -> Setup {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        let lab = try VRRPLab()
        do {
            let config = lab.directory.file("doctor.yaml")
            try yaml.write(to: config, atomically: true, encoding: .utf8)
            // sshd's own configuration as vipd sshd-snippet would leave it: the snippet included first.
            let sshDirectory = lab.directory.file("etc-ssh")
            try FileManager.default.createDirectory(at: sshDirectory.appendingPathComponent("sshd_config.d"), withIntermediateDirectories: true)
            let sshdConfig = sshDirectory.appendingPathComponent("sshd_config")
            try "Include \(sshDirectory.path)/sshd_config.d/*.conf\nPasswordAuthentication no\n"
                .write(to: sshdConfig, atomically: true, encoding: .utf8)
            let snippet = try lab.lab.nodes[0].namespace.run(
                VipdProcess.binary, ["sshd-snippet", "--config", config.path, "--node", "ha0", "--sshd-config", sshdConfig.path],
                timeout: .seconds(60))
            try snippet.standardOutput.write(
                to: sshDirectory.appendingPathComponent("sshd_config.d/01-vipd.conf"), atomically: true, encoding: .utf8)
            return Setup(lab: lab, config: config, sshdConfig: sshdConfig)
        } catch {
            lab.tearDown()
            throw error
        }
    }

    /// Runs `vipd doctor` in ha0's namespace.
    private func doctor(_ setup: Setup, config: URL? = nil) throws -> ProcessRunner.Output {
        try setup.lab.lab.nodes[0].namespace.execute(
            VipdProcess.binary,
            ["doctor", "--config", (config ?? setup.config).path, "--node", "ha0", "--sshd-config", setup.sshdConfig.path],
            timeout: .seconds(60))
    }

    /// The block of the report that starts with `status  title-prefix`, or fails the test.
    private func block(
        _ output: ProcessRunner.Output, _ status: String, _ titlePrefix: String, file: StaticString = #filePath, line: UInt = #line
    ) -> String {
        let lines = output.standardOutput.split(separator: "\n").map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix("\(status)  \(titlePrefix)") }) else {
            XCTFail("no \"\(status)  \(titlePrefix)\" line in:\n\(output.standardOutput)\n\(output.standardError)", file: file, line: line)
            return ""
        }
        let rest = lines[(start + 1)...].prefix { $0.hasPrefix("      ") }
        return ([lines[start]] + rest).joined(separator: "\n")
    }

    private func assertExit(_ output: ProcessRunner.Output, _ status: Int32, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(output.exitStatus, status, "\(output.standardOutput)\n\(output.standardError)", file: file, line: line)
    }

    func testHealthyNodePassesThenEachBreakageFails() throws {
        let setup = try makeSetup()
        defer { setup.lab.tearDown() }
        let ha0 = setup.lab.lab.nodes[0]

        let healthy = try doctor(setup)
        assertExit(healthy, 0)
        XCTAssertFalse(healthy.standardOutput.contains("FAIL"), healthy.standardOutput)
        XCTAssertFalse(healthy.standardOutput.contains("WARN"), healthy.standardOutput)
        for title in [
            "config \(setup.config.path) is valid", "this host is identified as a cluster node: ha0 (10.251.1.11)",
            "interface eth0 is up", "interface eth0 has node ha0's address 10.251.1.11",
            "virtual addresses of VI_1 lie inside a subnet of eth0", "VI_1 can send multicast adverts to 224.0.0.18 on eth0",
            "10.251.1.100:22 is free for listener ssh", "sshd listens only on node ha0's address",
            "firewall lets VRRP (protocol 112) in for VI_1 on eth0", "node ha1 is reachable (sshd at 10.251.1.12:22)",
            "capabilities present", "libpcap can capture on eth0",
        ] {
            _ = block(healthy, "PASS", title)
        }

        // An nftables table dropping protocol 112, as firewalld did in seed 000.
        try setup.lab.lab.dropVRRP(on: ha0)
        let dropped = try doctor(setup)
        assertExit(dropped, 2)
        let nftBlock = block(dropped, "FAIL", "firewall lets VRRP (protocol 112) in for VI_1 on eth0")
        XCTAssertTrue(nftBlock.contains("protocol 112 from 10.251.1.12 to 224.0.0.18 on eth0 is dropped by a drop rule:"), nftBlock)
        let handle = try XCTUnwrap(
            nftBlock.firstMatch(of: /nftables inet vipdlab input handle (\d+): meta l4proto vrrp drop/)?.1, nftBlock)
        XCTAssertTrue(nftBlock.contains("fix: nft insert rule inet vipdlab input position \(handle) meta l4proto vrrp accept"), nftBlock)
        XCTAssertTrue(nftBlock.contains("nft delete rule inet vipdlab input handle \(handle)"), nftBlock)
        try setup.lab.lab.allowVRRP(on: ha0)

        // An iptables (nf_tables backend) DROP of VRRP.
        let iptables = URL(fileURLWithPath: "/usr/sbin/iptables")
        try ha0.namespace.run(iptables, ["-A", "INPUT", "-p", "vrrp", "-j", "DROP"])
        let iptablesDrop = try doctor(setup)
        assertExit(iptablesDrop, 2)
        let iptablesBlock = block(iptablesDrop, "FAIL", "firewall lets VRRP")
        XCTAssertTrue(iptablesBlock.contains("iptables-save -t filter: -A INPUT -p vrrp -j DROP"), iptablesBlock)
        XCTAssertTrue(iptablesBlock.contains("fix: iptables -t filter -I INPUT 1 -p vrrp -j ACCEPT"), iptablesBlock)
        try ha0.namespace.run(iptables, ["-F", "INPUT"])

        // The peer's sshd stopped: the bounded banner probe fails.
        setup.lab.sshd[1].stop()
        let unreachable = try doctor(setup)
        assertExit(unreachable, 2)
        XCTAssertTrue(block(unreachable, "FAIL", "node ha1 is reachable (sshd at 10.251.1.12:22)").contains("fix: check that ha1 is up"))
        try setup.lab.sshd[1].restart()

        // The node's address removed from the interface.
        try ha0.namespace.ip(["addr", "del", "10.251.1.11/24", "dev", "eth0"])
        let noAddress = try doctor(setup)
        assertExit(noAddress, 2)
        XCTAssertTrue(
            block(noAddress, "FAIL", "interface eth0 has node ha0's address 10.251.1.11")
                .contains("fix: ip addr add 10.251.1.11/24 dev eth0"))
        try ha0.namespace.ip(["addr", "add", "10.251.1.11/24", "dev", "eth0"])

        // The interface down.
        try ha0.namespace.ip(["link", "set", "eth0", "down"])
        let down = try doctor(setup)
        assertExit(down, 2)
        XCTAssertTrue(block(down, "FAIL", "interface eth0 is up").contains("fix: ip link set eth0 up"))
        try ha0.namespace.ip(["link", "set", "eth0", "up"])
    }

    func testVIPOutsideTheSubnetFails() throws {
        let setup = try makeSetup(yaml: VRRPLab.yaml().replacingOccurrences(of: "\(VRRPLab.vip)/24", with: "10.251.2.100/24"))
        defer { setup.lab.tearDown() }
        let output = try doctor(setup)
        assertExit(output, 2)
        let failure = block(output, "FAIL", "virtual addresses of VI_1 lie inside a subnet of eth0")
        XCTAssertTrue(failure.contains("10.251.2.100/24 outside the subnets of eth0 (10.251.1.0/24"), failure)
    }

    func testInvalidConfigIsOneFailLineWithPositions() throws {
        let directory = try LabDirectory(prefix: "vipd-doctor")
        defer { directory.remove() }
        let file = directory.file("vipd.yaml")
        try "listeners:\n  ssh: { bind: 127.0.0.1:2222, pool: nowhere }\npools:\n  ssh: { servers: [{ address: 127.0.0.1:22 }], check: { kind: ssh-banner, intervall: 2s } }\n"
            .write(to: file, atomically: true, encoding: .utf8)
        let output = try ProcessRunner.run(VipdProcess.binary, arguments: ["doctor", "--config", file.path], timeout: .seconds(60))
        assertExit(output, 2)
        let failure = block(output, "FAIL", "config \(file.path) is valid")
        XCTAssertTrue(failure.contains("\(file.path):2:"), failure)
        XCTAssertTrue(failure.contains("\(file.path):4:"), failure)
        XCTAssertTrue(failure.contains("intervall"), failure)
    }

    func testMissingConfigExitsOne() throws {
        let output = try ProcessRunner.run(
            VipdProcess.binary, arguments: ["doctor", "--config", "/nonexistent/vipd.yaml"], timeout: .seconds(60))
        assertExit(output, 1)
        XCTAssertTrue(output.standardError.contains("cannot read /nonexistent/vipd.yaml"), output.standardError)
    }
}
