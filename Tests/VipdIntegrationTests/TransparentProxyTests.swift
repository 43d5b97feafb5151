import Foundation
import VipdLab
import XCTest

/// `transparent: true` in the two-node lab: sshd on the VIP owner and on the peer sees the client's
/// address, sshd's own address rules act on it, it follows the VIP across a planned move, and the
/// kernel holds nothing of it once it is turned off by reload or vipd stops. ha0 (priority 100)
/// holds the VIP at the start; the client is 10.251.1.2 (and 10.251.1.3 where a second client is needed).
final class TransparentProxyTests: XCTestCase {
    private static let client = "10.251.1.2"

    private var lab: VRRPLab!
    private var sessions: [TimedLinesProcess] = []

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
    }

    override func tearDown() {
        for session in sessions { session.terminate(grace: .seconds(1)) }
        sessions = []
        lab?.tearDown()
    }

    /// Logins through the VIP reach both nodes' sshd with the client's address once a reload turns
    /// `transparent` on, and with the proxying node's once a reload turns it off; each node's kernel
    /// is then as it was with vipd running before, and after vipd stops as it was before vipd.
    func testBothNodesSSHDSeeTheClientAndTheKernelIsAsBeforeAfterReloadAndStop() throws {
        lab = try VRRPLab()
        let before = try lab.lab.nodes.indices.map(kernelState)
        try startPair(transparent: false)
        let running = try lab.lab.nodes.indices.map(kernelState)
        XCTAssertFalse(try lab.logins(3).contains { $0.client == Self.client }, "not transparent yet")

        try reloadBoth(transparent: true)
        try lab.waitForTransparentLoginsOnBothNodes()
        let transparentLogins = try lab.logins(6)
        XCTAssertEqual(Set(transparentLogins.map(\.client)), [Self.client], "\(transparentLogins)\n\(lab.logs())")
        XCTAssertEqual(Set(transparentLogins.map(\.server)), ["10.251.1.11", "10.251.1.12"], "round robin over both nodes")
        for daemon in lab.sshd {
            let log = try String(contentsOf: daemon.logURL, encoding: .utf8)
            XCTAssertTrue(log.contains("Accepted publickey for \(lab.client.user) from \(Self.client) port "), "\(daemon.name)'s sshd log:\n\(log)")
        }
        for node in lab.lab.nodes.indices {
            XCTAssertNotEqual(try kernelState(node), running[node], "ha\(node) has the transparent state")
        }

        try reloadBoth(transparent: false)
        try lab.waitUntil("the transparent state is gone from both nodes", within: 10) {
            try lab.lab.nodes.indices.allSatisfy { try kernelState($0) == running[$0] }
        }
        let plainLogins = try lab.logins(4)
        XCTAssertFalse(plainLogins.contains { $0.client == Self.client }, "\(plainLogins)")

        for node in lab.lab.nodes.indices {
            let vipd = lab.vipdProcess(node)!
            vipd.signal(SIGTERM)
            XCTAssertNotNil(vipd.waitForExit(timeout: 20), "ha\(node)'s vipd did not stop\n\(lab.logs())")
        }
        for node in lab.lab.nodes.indices {
            XCTAssertEqual(try kernelState(node), before[node], "ha\(node)'s kernel after vipd stopped")
        }
    }

    /// sshd's address rules act on the client's address through the VIP: `AllowUsers USER@CLIENT`
    /// admits the client (the nodes' own addresses are not allowed, so a proxy address would be
    /// refused), and a `Match Address` block denies the second client.
    func testAllowUsersAdmitsTheClientAndAMatchAddressBlockDeniesTheOther() throws {
        let user = SSHClient.currentUserName
        lab = try VRRPLab(
            sshdConfig: """
                AllowUsers \(user)@\(Self.client) \(user)@\(VRRPLab.secondClient)
                Match Address \(VRRPLab.secondClient)
                    DenyUsers *
                """)
        try lab.addSecondClient()
        try startPair(transparent: true)
        try lab.waitForTransparentLoginsOnBothNodes()
        let admitted = try lab.logins(4)
        XCTAssertEqual(Set(admitted.map(\.client)), [Self.client])
        XCTAssertEqual(Set(admitted.map(\.server)), ["10.251.1.11", "10.251.1.12"])
        for _ in 0..<2 {
            let refused = try lab.client.run(
                host: VRRPLab.vip, port: 22, command: "true", namespace: lab.lab.client.namespace, bindAddress: VRRPLab.secondClient)
            XCTAssertEqual(refused.exitStatus, 255, "the second client got in: \(refused.standardOutput)")
            XCTAssertTrue(refused.standardError.contains("Permission denied"), refused.standardError)
        }
        let denials = try lab.sshd.map { try String(contentsOf: $0.logURL, encoding: .utf8) }.joined()
        XCTAssertTrue(denials.contains("from \(VRRPLab.secondClient) not allowed because listed in DenyUsers"), denials)
    }

    /// IPv6: a listener on ha0's IPv6 address proxies to both nodes' sshd on their IPv6 addresses,
    /// which see the client's IPv6 address.
    func testIPv6ClientsAddressReachesBothNodes() throws {
        lab = try VRRPLab()
        let v6 = lab.lab.nodes.map(\.address6)
        let sshd6 = try lab.lab.nodes.map { node in
            try SSHDaemon.start(
                name: "\(node.name)-v6", address: node.address6, port: 22, keys: lab.keys, directory: lab.directory,
                namespace: node.namespace)
        }
        defer { sshd6.forEach { $0.stop() } }
        for node in lab.lab.nodes.indices {
            try lab.startVipd(
                node,
                yaml: """
                    cluster:
                      nodes:
                        ha0: { address: 10.251.1.11, address6: "\(v6[0])" }
                        ha1: { address: 10.251.1.12, address6: "\(v6[1])" }
                    listeners:
                      ssh6: { bind: "[::]:2222", pool: ssh, connect_timeout: 1s }
                    pools:
                      ssh: { transparent: true, servers: "nodes:22", check: { kind: ssh-banner, interval: 1s, timeout: 5s, fall: 2, rise: 2 } }
                    global: { drain_timeout: 2s, control_socket: \(lab.controlSocket(node)) }
                    """)
        }
        try lab.vipdProcess(0)!.waitForLog(containing: "server ssh/ha1 is UP", timeout: 15)
        var seen: [(client: String, server: String)] = []
        try lab.waitUntil("logins through ha0 over IPv6 reach both nodes with the client's address", within: 20) {
            if let login = try? lab.login(host: v6[0], port: 2222), login.client == lab.lab.client.address6 { seen.append(login) }
            return Set(seen.map(\.server)) == Set(v6)
        }
        let more = try (0..<4).map { _ in try lab.login(host: v6[0], port: 2222) }
        XCTAssertEqual(Set(more.map(\.client)), [lab.lab.client.address6], "\(more)")
    }

    /// After `vipd ctl handover`, ha1's logins are transparent at once, and a session started through
    /// ha0 (served on by ha0 after the move) keeps the client's address to its end.
    func testTheNewOwnerIsTransparentAtOnceAndTheOldOwnersSessionRunsOn() throws {
        lab = try VRRPLab()
        try startPair(transparent: true, global: "session_drain_limit: 60s, drain_timeout: 60s")
        try lab.waitForTransparentLoginsOnBothNodes()
        let command = "echo $SSH_CONNECTION; for i in $(seq 1 30); do echo $i; sleep 0.2; done"
        let echo = try lab.client.startTimedSession(
            host: VRRPLab.vip, port: 22, command: command, namespace: lab.lab.client.namespace,
            errorLog: lab.directory.file("echo.err"))
        sessions.append(echo)
        XCTAssertTrue(echo.waitForLines(2, within: .seconds(10)), echo.standardError)
        XCTAssertEqual(echo.texts.first?.split(separator: " ").first.map(String.init), Self.client)

        let handover = try lab.ctl(0, "handover")
        XCTAssertEqual(handover.exitStatus, 0, handover.standardOutput + handover.standardError)
        try lab.waitForHolders([1], within: 10)
        let afterMove = try lab.logins(4)
        XCTAssertEqual(Set(afterMove.map(\.client)), [Self.client], "ha1's logins right after the move: \(afterMove)\n\(lab.logs())")
        XCTAssertEqual(Set(afterMove.map(\.server)), ["10.251.1.11", "10.251.1.12"])

        let status = echo.waitForExit(within: .seconds(30))
        XCTAssertEqual(status, 0, "the session through ha0: \(echo.standardError)\n\(lab.logs())")
        XCTAssertEqual(Array(echo.texts.dropFirst()), (1...30).map(String.init))
    }

    // MARK: - Helpers

    /// Both nodes with the `ssh` pool's `transparent` as given; ha0 holds the VIP and has both servers up.
    private func startPair(transparent: Bool, global: String = "drain_timeout: 2s") throws {
        try lab.startPair { lab.transparentYAML($0, transparent: transparent, global: global) }
    }

    /// Rewrites both nodes' file with `transparent` and reloads them (`vipd ctl reload`).
    private func reloadBoth(transparent: Bool) throws {
        for node in 0...1 {
            let process = lab.vipdProcess(node)!
            try lab.transparentYAML(node, transparent: transparent).write(to: process.configURL, atomically: true, encoding: .utf8)
            let reload = try lab.ctl(node, "reload")
            XCTAssertEqual(reload.exitStatus, 0, reload.standardOutput + reload.standardError)
        }
    }

    /// What vipd may add to `node`'s kernel: the nftables ruleset, the policy-routing rules and every
    /// route table of both families (routes of the VIP itself left out: they follow its owner; and the
    /// link-local address's, which appears when its duplicate address detection ends).
    private func kernelState(_ node: Int) throws -> [String] {
        let namespace = lab.lab.nodes[node].namespace
        // The session hand-off's tables (tested on their own) are left out, from their first line to their closing brace.
        var inHandoffTable = false
        var state = try namespace.run(ClusterLab.nft, ["list", "ruleset"]).standardOutput.split(separator: "\n").map(String.init)
            .filter { line in
                if line.hasPrefix("table "), line.contains("vipd_sessions") { inHandoffTable = true }
                defer { if inHandoffTable, line == "}" { inHandoffTable = false } }
                return !inHandoffTable
            }
        for family in ["-4", "-6"] {
            state += try namespace.ip([family, "rule", "show"]).standardOutput.split(separator: "\n").map(String.init)
            state += try namespace.ip([family, "route", "show", "table", "all"]).standardOutput.split(separator: "\n").map(String.init)
                .filter { !$0.contains(VRRPLab.vip) && !$0.hasPrefix("local fe80:") }
        }
        return state
    }
}
