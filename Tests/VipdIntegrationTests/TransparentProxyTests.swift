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
        try waitForKernelState(running, "the transparent state is gone from both nodes")
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

    /// A reload that turns `transparent` off while sessions run keeps the kernel state until they
    /// end (on ha0 its own transparent connections, on ha1 those ha0 proxies to its sshd), then
    /// removes it; every session runs to its end with the client's address.
    func testSessionsOutliveAReloadThatTurnsItOff() throws {
        lab = try VRRPLab()
        try startPair(transparent: false)
        let running = try lab.lab.nodes.indices.map(kernelState)
        try reloadBoth(transparent: true)
        try lab.waitForTransparentLoginsOnBothNodes()
        let echoes = try startEchoSessionsOnBothNodes(lines: 40)
        try reloadBoth(transparent: false)
        for node in 0...1 {
            try lab.vipdProcess(node)!.waitForLog(containing: "stay for", timeout: 10)  // "... stay for N open connection(s)"
        }
        XCTAssertFalse(try lab.logins(2).contains { $0.client == Self.client }, "new logins are not transparent any more")
        try assertEchoesRunToTheirEnd(echoes, lines: 40)
        try waitForKernelState(running, "the transparent state is gone from both nodes once the sessions ended", within: 15)
    }

    /// Stopping ha1's vipd (the backup) while ha0 proxies sessions to ha1's sshd: ha1 hands its
    /// transparent state to `vipd serve-sessions`, which keeps it until those sessions end and a new
    /// vipd started meanwhile takes it over; every session runs to its end.
    func testStoppingAndRestartingThePeersVipdKeepsTheSessionsProxiedToItsSSHD() throws {
        lab = try VRRPLab()
        try startPair(transparent: true)
        try lab.waitForTransparentLoginsOnBothNodes()
        let echoes = try startEchoSessionsOnBothNodes(lines: 50)
        let peer = lab.vipdProcess(1)!
        peer.signal(SIGTERM)
        XCTAssertNotNil(peer.waitForExit(timeout: 20), "ha1's vipd did not stop\n\(lab.logs())")
        XCTAssertTrue(peer.log.contains("keeps the transparent proxying state for"), peer.log)
        Thread.sleep(forTimeInterval: 2)
        try lab.startVipd(1, yaml: lab.transparentYAML(1, transparent: true))
        try assertEchoesRunToTheirEnd(echoes, lines: 50)
        let after = try lab.logins(4)
        XCTAssertEqual(Set(after.map(\.client)), [Self.client], "transparent after ha1's restart: \(after)\n\(lab.logs())")
    }

    /// SIGTERM on the VIP owner (ha0) while its transparent sessions run on both nodes' sshd: the
    /// sessions, handed to `vipd serve-sessions` with the transparent state, run to their end with
    /// the client's address; then that process removes the state and ha0's kernel is as before vipd.
    func testStoppingTheOwnersVipdKeepsItsTransparentSessionsAndThenCleansUp() throws {
        lab = try VRRPLab()
        let before = try kernelState(0)
        try startPair(transparent: true, global: "session_drain_limit: 60s, drain_timeout: 60s")
        try lab.waitForTransparentLoginsOnBothNodes()
        let echoes = try startEchoSessionsOnBothNodes(lines: 40)
        let owner = lab.vipdProcess(0)!
        owner.signal(SIGTERM)
        try lab.waitForHolders([1], within: 10)
        XCTAssertNotNil(owner.waitForExit(timeout: 20), "ha0's vipd did not stop\n\(lab.logs())")
        XCTAssertTrue(owner.log.contains("session(s) to vipd serve-sessions (pid"), owner.log)
        try assertEchoesRunToTheirEnd(echoes, lines: 40)
        try waitForKernelState([before], "ha0's kernel is as before vipd once vipd serve-sessions is done", within: 20)
    }

    /// A transparent pool's health check comes from an address only vipd routes back: with ha1's vipd
    /// stopped (and no session needing its state), ha1's sshd still runs but could not send a
    /// client's replies back, so ha0 takes ha1 down and every login goes to ha0; with ha1's vipd
    /// back, ha1 is up again.
    func testAPeerWhoseVipdIsStoppedIsTakenDownByTheTransparentCheck() throws {
        lab = try VRRPLab()
        try startPair(transparent: true)
        try lab.waitForTransparentLoginsOnBothNodes()
        let owner = lab.vipdProcess(0)!
        func count(_ text: String) -> Int { owner.log.components(separatedBy: text).count - 1 }
        let (down, up) = (count("server ssh/ha1 is DOWN"), count("server ssh/ha1 is UP"))
        let peer = lab.vipdProcess(1)!
        peer.signal(SIGTERM)
        XCTAssertNotNil(peer.waitForExit(timeout: 20), "ha1's vipd did not stop\n\(lab.logs())")
        try owner.waitForLog(containing: "server ssh/ha1 is DOWN", count: down + 1, timeout: 15)
        let meanwhile = try lab.logins(4)
        XCTAssertEqual(Set(meanwhile.map(\.server)), ["10.251.1.11"], "\(meanwhile)")
        XCTAssertEqual(Set(meanwhile.map(\.client)), [Self.client])
        try lab.startVipd(1, yaml: lab.transparentYAML(1, transparent: true))
        try owner.waitForLog(containing: "server ssh/ha1 is UP", count: up + 1, timeout: 20)
        try lab.waitForTransparentLoginsOnBothNodes()
    }

    /// After a crash (SIGKILL) the table, rules and routes stay; the next start removes them when no
    /// pool is transparent any more, and the kernel is as before vipd.
    func testAStartAfterACrashRemovesWhatTheCrashedRunLeft() throws {
        lab = try VRRPLab()
        let before = try kernelState(0)
        try lab.startVipd(0, yaml: lab.transparentYAML(0, transparent: true))
        try lab.vipdProcess(0)!.waitForLog(containing: "vipd ready", timeout: 20)
        lab.vipdProcess(0)!.signal(SIGKILL)
        XCTAssertNotNil(lab.vipdProcess(0)!.waitForExit(timeout: 10))
        XCTAssertTrue(try kernelState(0).contains { $0.contains("vipd_transparent") }, "the crashed run left its table")
        try lab.startVipd(0, yaml: lab.transparentYAML(0, transparent: false))
        let restarted = lab.vipdProcess(0)!
        try restarted.waitForLog(containing: "vipd ready", timeout: 20)
        XCTAssertTrue(restarted.log.contains("removed the transparent proxying table, rules and routes left by an earlier run"), restarted.log)
        restarted.signal(SIGTERM)
        XCTAssertNotNil(restarted.waitForExit(timeout: 20))
        try waitForKernelState([before], "ha0's kernel is as before vipd", within: 5)
    }

    // MARK: - Helpers

    /// Two echo sessions through the VIP, one on each node's sshd (round robin), each printing
    /// `$SSH_CONNECTION` and then a numbered line every 200 ms.
    private func startEchoSessionsOnBothNodes(lines: Int) throws -> [TimedLinesProcess] {
        let command = "echo $SSH_CONNECTION; for i in $(seq 1 \(lines)); do echo $i; sleep 0.2; done"
        var echoes: [TimedLinesProcess] = []
        for index in 0..<2 {
            let echo = try lab.client.startTimedSession(
                host: VRRPLab.vip, port: 22, command: command, namespace: lab.lab.client.namespace,
                errorLog: lab.directory.file("echo-\(index).err"))
            sessions.append(echo)
            XCTAssertTrue(echo.waitForLines(2, within: .seconds(10)), echo.standardError)
            echoes.append(echo)
        }
        let ends = echoes.map { $0.texts.first?.split(separator: " ").map(String.init) ?? [] }
        XCTAssertEqual(Set(ends.compactMap(\.first)), [Self.client], "\(ends)")
        XCTAssertEqual(Set(ends.compactMap { $0.count == 4 ? $0[2] : nil }), ["10.251.1.11", "10.251.1.12"], "one on each node: \(ends)")
        return echoes
    }

    private func assertEchoesRunToTheirEnd(_ echoes: [TimedLinesProcess], lines: Int, file: StaticString = #filePath, line: UInt = #line) throws {
        for echo in echoes {
            let status = echo.waitForExit(within: .milliseconds(lines * 200) + .seconds(30))
            XCTAssertEqual(status, 0, "ssh: \(echo.standardError)\n\(lab.logs())", file: file, line: line)
            XCTAssertEqual(Array(echo.texts.dropFirst()), (1...lines).map(String.init), file: file, line: line)
        }
    }

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

    /// Until the kernel state of nodes 0, 1, ... is `expected` (each node's); fails with the lines
    /// that differ when it is not within `timeout` seconds.
    private func waitForKernelState(
        _ expected: [[String]], _ what: String, within timeout: TimeInterval = 10, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        var differences: [String] = []
        repeat {
            differences = try expected.indices.flatMap { node -> [String] in
                let now = try kernelState(node)
                return now.filter { !expected[node].contains($0) }.map { "ha\(node) has \($0)" }
                    + expected[node].filter { !now.contains($0) }.map { "ha\(node) lacks \($0)" }
            }
            if differences.isEmpty { return }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        XCTFail("not within \(timeout) s: \(what):\n\(differences.joined(separator: "\n"))\n\(lab.logs())", file: file, line: line)
        throw LabError.unexpectedOutput(command: "wait until \(what)", output: differences.joined(separator: "\n"))
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
