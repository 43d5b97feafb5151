import VipdCore
import VipdMonitor
import VipdVRRPPacket
import XCTest

/// Split brain and the legitimate transitions that must not look like one.
final class SplitBrainTests: XCTestCase {
    private let high = "10.251.2.11"
    private let low = "10.251.2.12"

    func testHealthyPairHasNoFinding() {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 30)
        let (analyzer, events) = scenario.run(until: 30)
        XCTAssertEqual(analyzer.history.count, 0, "\(analyzer.currentFindings)")
        XCTAssertEqual(events.count, 2, "group discovered and first master: \(events)")
        XCTAssertEqual(analyzer.statistics.advertisements, 30)
    }

    func testBackupThatStopsHearingTheMasterIsSplitBrainAtItsFirstAdvert() throws {
        // The low node's firewall starts dropping VRRP at 10 s: it takes over one
        // Master_Down_Interval (3 × 1 s + skew 0.609 s) after the last advert it heard.
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 30)
        scenario.advertise(low, priority: 100, from: 12.61, to: 22)
        let (analyzer, events) = scenario.run(until: 30)
        let finding = try XCTUnwrap(events.onsets.first { $0.kind == .splitBrain })
        XCTAssertEqual(Scenario.offset(finding.since), 12.61, accuracy: 0.001)
        XCTAssertEqual(finding.subject, "\(high)/\(low)")
        XCTAssertTrue(finding.summary.contains("SPLIT BRAIN on eth0 VRID 51: 10.251.2.11 (prio 150) and 10.251.2.12 (prio 100)"), finding.summary)
        XCTAssertTrue(
            finding.summary.contains("10.251.2.12 never hears 10.251.2.11 — a firewall on 10.251.2.12 drops IP protocol 112"),
            finding.summary)
        // A third host cannot read 10.251.2.12's ruleset: it says where to run the walker.
        XCTAssertEqual(finding.fix, "run `vipd doctor` on 10.251.2.12 — it names the rule that drops protocol 112")
        XCTAssertEqual(finding.firewallSuspect, .host(IPAddress("10.251.2.12")!))
        XCTAssertTrue(finding.evidence.joined().contains("without a gap for 12.61 s"), "\(finding.evidence)")
        // The low node stops at 21.61 s (its last advert): the split brain ends one
        // Master_Down_Interval later, evaluated at the next 250 ms tick.
        let cleared = try XCTUnwrap(events.clearances.first { $0.finding.kind == .splitBrain })
        XCTAssertEqual(Scenario.offset(cleared.at), 25.25, accuracy: 0.001)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.splitBrain])
    }

    func testMonitorStartedDuringASplitBrainNamesItAtTheLowerNodesSecondAdvert() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 20)
        scenario.advertise(low, priority: 100, from: 0.5, to: 20)
        let finding = try XCTUnwrap(scenario.run(until: 20).events.onsets.first { $0.kind == .splitBrain })
        // The low node advertised at 0.5 s and 1.5 s, both after the high node was seen at 0 s:
        // a node that heard it would have become backup at once.
        XCTAssertEqual(Scenario.offset(finding.since), 1.5, accuracy: 0.001)
    }

    func testLowerRankedNodeThatKeepsAdvertisingAfterTheHigherAppearsDidNotYield() throws {
        var scenario = Scenario()
        scenario.advertise(low, priority: 100, from: 0, to: 20)
        scenario.advertise(high, priority: 150, from: 10.3, to: 20)
        let finding = try XCTUnwrap(scenario.run(until: 20).events.onsets.first { $0.kind == .splitBrain })
        // The low node's adverts at 11 s and 12 s both come after the high node appeared at 10.3 s.
        XCTAssertEqual(Scenario.offset(finding.since), 12, accuracy: 0.001)
        XCTAssertTrue(finding.evidence.joined().contains("kept advertising after the higher-ranked master appeared"))
    }

    func testPreemptionWhereTheLowerNodeYieldsIsNotSplitBrain() {
        var scenario = Scenario()
        scenario.advertise(low, priority: 100, from: 0, to: 10.35)  // its last advert at 10 s, in flight at 10.3
        scenario.add(WireFrames.advertisement(from: low, priority: 100), at: 10.32)
        scenario.advertise(high, priority: 150, from: 10.3, to: 30)
        let (analyzer, events) = scenario.run(until: 30)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [])
        let changes = events.compactMap { event -> IPAddress? in
            if case .masterChanged(_, _, let to, _) = event { to } else { nil }
        }
        XCTAssertEqual(changes, [IPAddress(low)!, IPAddress(high)!])
    }

    func testFailoverAfterTheMasterDiesIsNotSplitBrain() {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10.5)
        scenario.advertise(low, priority: 100, from: 13.61, to: 30)
        let (analyzer, _) = scenario.run(until: 30)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [])
    }

    func testEqualPriorityTieIsBrokenByTheHigherAddress() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 100, from: 0, to: 20)
        scenario.advertise(low, priority: 100, from: 8, to: 20)
        let finding = try XCTUnwrap(scenario.run(until: 20).events.onsets.first { $0.kind == .splitBrain })
        // 10.251.2.12 outranks 10.251.2.11 at equal priority: the .11 node is the one not yielding.
        XCTAssertEqual(finding.subject, "\(low)/\(high)")
    }

    func testTwoClustersOnOneRouterIDAreACollisionNotASplitBrain() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 20)
        scenario.advertise("10.251.2.13", priority: 150, from: 5.2, to: 20, vips: ["10.251.2.200"])
        let (analyzer, _) = scenario.run(until: 20)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.routerIDCollision])
        let finding = analyzer.history[0].finding
        XCTAssertEqual(Scenario.offset(finding.since), 5.2, accuracy: 0.001)
        XCTAssertEqual(finding.evidence, ["10.251.2.11: [10.251.2.100]", "10.251.2.13: [10.251.2.200]"])
        XCTAssertTrue(finding.fix.contains("give one cluster another VRID"))
    }

    func testNodeNamesFromTheConfigurationLabelAddresses() throws {
        var scenario = Scenario()
        scenario.settings = MonitorSettings(nodeNames: [IPAddress(high)!: "ha0", IPAddress(low)!: "ha1"])
        scenario.advertise(high, priority: 150, from: 0, to: 20)
        scenario.advertise(low, priority: 100, from: 8, to: 20)
        let finding = try XCTUnwrap(scenario.run(until: 20).events.onsets.first { $0.kind == .splitBrain })
        XCTAssertTrue(finding.summary.contains("10.251.2.11 (ha0) (prio 150) and 10.251.2.12 (ha1) (prio 100)"), finding.summary)
    }

    func testVersion2IntervalMismatchNamesTheIntervalsAsTheCause() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 3.4, to: 30, every: 1, version: .v2)
        scenario.advertise(low, priority: 100, from: 6.6, to: 30, every: 2, version: .v2)
        let (analyzer, _) = scenario.run(until: 30)
        XCTAssertEqual(Set(analyzer.history.map(\.finding.kind)), [.intervalMismatch, .splitBrain])
        let split = try XCTUnwrap(analyzer.history.first { $0.finding.kind == .splitBrain }?.finding)
        XCTAssertTrue(split.summary.contains("because their intervals differ (1 s and 2 s)"), split.summary)
        XCTAssertEqual(Scenario.offset(split.since), 8.6, accuracy: 0.001)
    }

    func testVersion2PasswordMismatchNamesTheAuthenticationAsTheCause() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 3.4, to: 20, version: .v2, authentication: .simplePassword(Array("secret1".utf8)))
        scenario.advertise(low, priority: 100, from: 3.61, to: 20, version: .v2, authentication: .simplePassword(Array("secret2".utf8)))
        let (analyzer, _) = scenario.run(until: 20)
        XCTAssertEqual(Set(analyzer.history.map(\.finding.kind)), [.authenticationMismatch, .splitBrain])
        let split = try XCTUnwrap(analyzer.history.first { $0.finding.kind == .splitBrain }?.finding)
        XCTAssertTrue(split.summary.contains("authentication differs"), split.summary)
        let auth = try XCTUnwrap(analyzer.history.first { $0.finding.kind == .authenticationMismatch }?.finding)
        XCTAssertFalse(auth.evidence.joined().contains("secret"), "passwords never appear: \(auth.evidence)")
        XCTAssertNotEqual(auth.evidence[0].suffix(4), auth.evidence[1].suffix(4), "fingerprints tell them apart")
    }

    func testICMPRejectionNamesTheRejectingFirewall() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 20, destination: low)
        scenario.advertise(low, priority: 100, from: 8, to: 20, destination: high)
        scenario.add(WireFrames.icmpUnreachable(from: low, code: 10, quoting: WireFrames.advertisement(from: high, priority: 150, to: low)), at: 5)
        let (analyzer, _) = scenario.run(until: 20)
        XCTAssertEqual(Set(analyzer.history.map(\.finding.kind)), [.vrrpRejected, .splitBrain])
        let split = try XCTUnwrap(analyzer.history.first { $0.finding.kind == .splitBrain }?.finding)
        XCTAssertTrue(split.summary.contains("rejects 10.251.2.11's advertisements (ICMP host administratively prohibited, 1×)"), split.summary)
    }
}
