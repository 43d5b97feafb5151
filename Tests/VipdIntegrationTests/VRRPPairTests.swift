import Foundation
import VipdCore
import VipdLab
import XCTest

/// Two vipd nodes with one config file, in network namespaces with real sshd on each node: who
/// holds the VIP, how it moves, and what clients see (issue 3's lab tests).
final class VRRPPairTests: XCTestCase {
    private var lab: VRRPLab!

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        lab = try VRRPLab()
    }

    override func tearDown() {
        lab?.tearDown()
    }

    /// Both nodes up: ha0 (100) holds the VIP and only it; logins through the VIP reach both sshd.
    private func startPair(_ yaml: String = VRRPLab.yaml()) throws {
        try lab.startVipd(0, yaml: yaml)
        try lab.startVipd(1, yaml: yaml)
        try lab.waitForHolders([0], within: 15)
    }

    /// ha0's pool loses both servers: its own sshd stops, and it can no longer reach ha1's.
    private func emptyTheHoldersPool() throws {
        lab.sshd[0].stop()
        try lab.lab.nodes[0].namespace.run(
            ClusterLab.nft,
            ["add table inet vipdtest; add chain inet vipdtest output { type filter hook output priority 0; }; add rule inet vipdtest output ip daddr 10.251.1.12 tcp dport 22 reject with tcp reset"])
    }

    func testHigherPriorityHoldsTheVIPAndLoginsAlternate() throws {
        try startPair()
        let served = try (0..<4).map { _ in try lab.loginServer() }
        XCTAssertEqual(Set(served), ["10.251.1.11", "10.251.1.12"], "round robin through the VIP: \(served)")
        XCTAssertEqual(try lab.holders(), [0])
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("VI_1: BACKUP -> MASTER"), lab.logs())
        XCTAssertFalse(lab.vipdProcess(1)!.log.contains("-> MASTER"), lab.logs())
    }

    func testGracefulStopHandsOverMakeBeforeBreak() throws {
        try startPair()
        let holder = lab.vipdProcess(0)!
        holder.signal(SIGTERM)
        try lab.waitForHolders([1], within: 10)
        XCTAssertNotNil(holder.waitForExit(timeout: 15))
        XCTAssertTrue(holder.log.contains("handover finished, 10.251.1.12 is master"), lab.logs())
        XCTAssertFalse(try lab.loginServer().isEmpty, "logins through the VIP work after the handover")
    }

    func testCutLinkMovesTheVIPAndPreemptTakesItBack() throws {
        // haproxy-like checks (inter 2s, fall 3): slower than VRRP's 3.8 s Master_Down_Interval, so
        // it is the takeover that takes the silent node's server out, not the checks.
        try startPair(VRRPLab.yaml(check: "interval: 2s, timeout: 2s, fall: 3, rise: 2"))
        try lab.lab.cutLink(lab.lab.nodes[0])
        // ha0 sees its carrier go: FAULT, addresses removed; ha1 takes over after Master_Down_Interval.
        try lab.waitForHolders([1], within: 15)
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("-> FAULT"), lab.logs())
        try lab.vipdProcess(1)!.waitForLog(containing: "server ssh/ha0 is DOWN: node ha0", timeout: 5)

        XCTAssertEqual(try lab.loginServer(), "10.251.1.12", "the silent node's server is out of the pool at once")
        try lab.lab.restoreLink(lab.lab.nodes[0])
        try lab.waitForHolders([0], within: 15)
    }

    func testWithoutPreemptTheVIPStaysWhereItIs() throws {
        let yaml = VRRPLab.yaml(preempt: false)
        try startPair(yaml)
        lab.vipdProcess(0)!.stop()
        try lab.waitForHolders([1], within: 10)
        try lab.startVipd(0, yaml: yaml)
        Thread.sleep(forTimeInterval: 5)
        XCTAssertEqual(try lab.holders(), [1], lab.logs())
    }

    func testHolderWithNoServerUpGivesTheVIPAway() throws {
        try startPair()
        try emptyTheHoldersPool()
        try lab.waitForHolders([1], within: 20)
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("effective priority 100 -> 40"), lab.logs())
        XCTAssertEqual(try lab.loginServer(), "10.251.1.12")
    }

    /// With `session_drain_limit: 0s`, a move resets the sessions at once, as keepalived's pair would leave them hanging.
    func testIdleSessionThroughTheOldMasterIsResetWithoutSessionDrain() throws {
        try startPair(VRRPLab.yaml().replacingOccurrences(of: "drain_timeout: 2s", with: "drain_timeout: 2s, session_drain_limit: 0s"))
        // An idle session through ha0's proxy, then ha0 gives the VIP away (its pool empties).
        let session = try lab.client.startSession(
            host: VRRPLab.vip, port: 22, command: "sleep 120", namespace: lab.lab.client.namespace,
            log: lab.directory.file("idle-ssh.log"))
        defer { session.terminate(grace: .seconds(1)) }
        Thread.sleep(forTimeInterval: 2)
        XCTAssertTrue(session.isRunning, "the idle session should be up")
        try emptyTheHoldersPool()
        try lab.waitForHolders([1], within: 20)
        let released = Date()
        let status = session.waitForExit(within: .seconds(10))
        XCTAssertNotNil(status, "the idle session still hangs 10 s after the VIP left\n\(lab.logs())")
        XCTAssertLessThan(Date().timeIntervalSince(released), 10)
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("reset 1 connection(s) accepted on 10.251.1.100"), lab.logs())
    }

    func testDroppedVRRPMakesSplitBrainThatHealsToOneMaster() throws {
        try startPair()
        try lab.lab.dropVRRP(on: lab.lab.nodes[1])
        try lab.waitForHolders([0, 1], within: 15)
        try lab.lab.allowVRRP(on: lab.lab.nodes[1])
        let healed = Date()
        try lab.waitForHolders([0], within: 30)
        XCTAssertLessThan(Date().timeIntervalSince(healed), 30, "3 advert intervals expected, 10x allowed")
    }

    func testKilledNodeRemovesItsStaleVIPOnRestart() throws {
        try startPair()
        lab.vipdProcess(0)!.signal(SIGKILL)
        _ = lab.vipdProcess(0)!.waitForExit(timeout: 5)
        try lab.waitForHolders([0, 1], within: 10)  // ha0's VIP stays behind, ha1 takes over
        try lab.startVipd(0)
        try lab.vipdProcess(0)!.waitForLog(containing: "left there by an earlier run", timeout: 10)
        try lab.waitForHolders([0], within: 15)
    }

    func testCutLinkGapStaysWithinTenTimesTheTarget() throws {
        try startPair()
        let probe = lab.probeLoop(every: .milliseconds(50))
        probe.start()
        Thread.sleep(forTimeInterval: 1)
        let cut = ContinuousClock.now
        try lab.lab.cutLink(lab.lab.nodes[0])
        try lab.waitForHolders([1], within: 15)
        Thread.sleep(forTimeInterval: 6)
        let outcomes = probe.stop()
        let lastFailure = outcomes.last { !$0.succeeded && $0.at > cut }?.at
        let window = lastFailure.map { ($0 - cut).timeInterval } ?? 0
        // Target: Master_Down_Interval (3.8 s at priority 50) + 0.2 s; 10x allowed on a shared machine.
        XCTAssertLessThan(window, 40, "connections failed for \(window) s after the cut\n\(lab.logs())")
        XCTAssertTrue(outcomes.suffix(20).allSatisfy(\.succeeded), "every new connection succeeds in the end")
    }

    func testUnicastPairElectsAndFailsOver() throws {
        let yaml = VRRPLab.yaml(unicast: true)
        try startPair(yaml)
        lab.vipdProcess(0)!.stop()
        try lab.waitForHolders([1], within: 10)
    }

    func testTrackScriptMovesTheVIPAndNotifyCommandsRun() throws {
        // The script fails on the node whose own address names a file "sick-ADDRESS" in the lab directory.
        let events = lab.directory.file("notify-events")
        let ownAddress = #"$(ip -o -4 addr show dev eth0 | awk 'NR==1 { split($4, a, "/"); print a[1] }')"#
        let script = "! test -e \(lab.directory.url.path)/sick-\(ownAddress)"
        let yaml = VRRPLab.yaml(
            extraInstance: "notify: { any: 'echo \"$VIPD_INSTANCE $VIPD_PREVIOUS_STATE $VIPD_STATE $VIPD_PRIORITY\" >> \(events.path)' }",
            track: "track: { scripts: { chk: -60 } }")
            + "\ntrack_scripts:\n  chk:\n    command: |-\n      \(script)\n    interval: 500ms\n    timeout: 5s\n    fall: 1\n    rise: 1\n"
        try startPair(yaml)
        try Data().write(to: lab.directory.file("sick-10.251.1.11"))
        try lab.waitForHolders([1], within: 15)
        Thread.sleep(forTimeInterval: 1)
        let lines = (try String(contentsOf: events, encoding: .utf8)).split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("VI_1 BACKUP MASTER 100"), "\(lines)\n\(lab.logs())")
        XCTAssertTrue(lines.contains("VI_1 BACKUP MASTER 50"), "\(lines)")
        XCTAssertTrue(lines.contains("VI_1 MASTER BACKUP 40"), "\(lines)")
    }

    func testAScriptFailingOnEveryNodeLeavesNoMasterAndSaysSoAtErrorLevel() throws {
        // Weight 0: the script's failure is FAULT. It fails where "sick-ADDRESS" exists.
        let ownAddress = #"$(ip -o -4 addr show dev eth0 | awk 'NR==1 { split($4, a, "/"); print a[1] }')"#
        let script = "! test -e \(lab.directory.url.path)/sick-\(ownAddress)"
        let yaml = VRRPLab.yaml(track: "track: { scripts: [chk] }")
            + "\ntrack_scripts:\n  chk:\n    command: |-\n      \(script)\n    interval: 500ms\n    timeout: 5s\n    fall: 1\n    rise: 1\n"
        try startPair(yaml)
        try Data().write(to: lab.directory.file("sick-10.251.1.11"))
        try lab.waitForHolders([1], within: 15)
        XCTAssertFalse(lab.vipdProcess(0)!.log.contains("nobody holds"), "ha1 took over: there is a master\n\(lab.logs())")
        try Data().write(to: lab.directory.file("sick-10.251.1.12"))
        try lab.waitForHolders([], within: 15)
        let deadline = Date().addingTimeInterval(30)
        let line = "error VI_1: in FAULT (script chk down) and no node has advertised as master for"
        while Date() < deadline, !(0...1).allSatisfy({ lab.vipdProcess($0)!.log.contains(line) }) {
            Thread.sleep(forTimeInterval: 0.2)
        }
        for node in 0...1 {
            XCTAssertTrue(lab.vipdProcess(node)!.log.contains(line), "ha\(node)\n\(lab.logs())")
            XCTAssertTrue(lab.vipdProcess(node)!.log.contains("nobody holds 10.251.1.100"), lab.logs())
        }
    }
}
