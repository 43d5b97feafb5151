import Foundation
import VipdLab
import XCTest

/// A listener on an address this host does not hold (a VIP before VRRP gives it to this node)
/// binds thanks to IP_FREEBIND, without net.ipv4.ip_nonlocal_bind. Run in a network namespace of
/// the test's own, which has only its loopback: nothing can leave it.
final class FreeBindTests: XCTestCase {
    private var namespace: String?

    override func setUpWithError() throws {
        try XCTSkipUnless(getuid() == 0, "network namespaces need root (CI runs as root)")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") || FileManager.default.isExecutableFile(atPath: "/sbin/ip"), "iproute2 (ip) not installed")
        let name = "vipd-fb-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let added = try ProcessRunner.run(URL(fileURLWithPath: "/usr/sbin/ip"), arguments: ["netns", "add", name], timeout: .seconds(10))
        try XCTSkipUnless(added.exitStatus == 0, "ip netns add failed: \(added.standardError)")
        namespace = name
        try ProcessRunner.run(URL(fileURLWithPath: "/usr/sbin/ip"), arguments: ["-n", name, "link", "set", "lo", "up"], timeout: .seconds(10)).requireSuccess()
    }

    override func tearDown() {
        if let namespace {
            _ = try? ProcessRunner.run(URL(fileURLWithPath: "/usr/sbin/ip"), arguments: ["netns", "delete", namespace], timeout: .seconds(10))
        }
    }

    private func runInNamespace(bind: String) throws -> ProcessRunner.Output {
        let directory = try LabDirectory(prefix: "vipd-freebind")
        defer { directory.remove() }
        let config = directory.file("vipd.yaml")
        try """
        listeners:
          vip: { bind: "\(bind)", pool: p }
        pools:
          p: { servers: [{ address: 127.0.0.1:9 }], check: { kind: none } }
        """.write(to: config, atomically: true, encoding: .utf8)
        // vipd runs for 3 s inside the namespace, then `timeout` sends SIGTERM: it must have bound and drained.
        return try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/sbin/ip"),
            arguments: ["netns", "exec", namespace!, "timeout", "--preserve-status", "-s", "TERM", "3", VipdProcess.binary.path, "run", "--config", config.path],
            timeout: .seconds(30))
    }

    /// A plain bind (no IP_FREEBIND) of the same address fails in the namespace: the address really is not there.
    private func assertPlainBindFails(host: String, family: String) throws {
        let plain = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/sbin/ip"),
            arguments: ["netns", "exec", namespace!, "python3", "-c", "import socket; socket.socket(socket.\(family)).bind(('\(host)', 2222))"],
            timeout: .seconds(30))
        XCTAssertNotEqual(plain.exitStatus, 0, "a plain bind of \(host) should fail without IP_FREEBIND")
        XCTAssertTrue(plain.standardError.contains("Cannot assign requested address"), plain.standardError)
    }

    func testListenerBindsAnIPv4AddressThisHostDoesNotHold() throws {
        try assertPlainBindFails(host: "10.251.7.1", family: "AF_INET")
        let output = try runInNamespace(bind: "10.251.7.1:2222")
        XCTAssertTrue(output.standardError.contains("vipd ready"), output.standardError)
        XCTAssertTrue(output.standardError.contains("10.251.7.1:2222"), output.standardError)
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
    }

    func testListenerBindsAnIPv6AddressThisHostDoesNotHold() throws {
        try assertPlainBindFails(host: "fd00:251:7::1", family: "AF_INET6")
        let output = try runInNamespace(bind: "[fd00:251:7::1]:2222")
        XCTAssertTrue(output.standardError.contains("vipd ready"), output.standardError)
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
    }
}
