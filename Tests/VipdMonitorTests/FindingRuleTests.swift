import VipdCore
import VipdMonitor
import VipdVRRPPacket
import XCTest

/// Every rule but split brain, each with the condition that raises it and what clears it.
final class FindingRuleTests: XCTestCase {
    private let high = "10.251.2.11"
    private let low = "10.251.2.12"
    private let vip = "10.251.2.100"

    func testVIPAnsweredByTwoMACsNamesTheStranger() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 20)
        for request in 0..<3 {
            let time = 5.0 + Double(request)
            scenario.add(WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(11), senderIP: vip, targetIP: "10.251.2.2"), at: time)
            scenario.add(WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(50), senderIP: vip, targetIP: "10.251.2.2"), at: time + 0.001)
        }
        let (analyzer, events) = scenario.run(until: 20)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.addressAnsweredByTwoMACs])
        XCTAssertEqual(Scenario.offset(try XCTUnwrap(events.onsets.first).since), 5.001, accuracy: 0.0001)
        let finding = try XCTUnwrap(scenario.run(until: 8).analyzer.currentFindings.first)
        XCTAssertEqual(finding.subject, "eth0 \(vip)")
        XCTAssertTrue(finding.evidence[0].contains("02:25:19:02:00:0b (the VRRP router 10.251.2.11): 3× ARP reply"), "\(finding.evidence)")
        XCTAssertTrue(finding.evidence[1].contains("02:25:19:02:00:32 (not a VRRP router seen here)"), "\(finding.evidence)")
        XCTAssertTrue(finding.fix.contains("remove 10.251.2.100 from the host with MAC 02:25:19:02:00:32"), finding.fix)
        // Ten seconds after the last answers the claims age out and the finding clears.
        XCTAssertEqual(Scenario.offset(try XCTUnwrap(events.clearances.first).at), 17.25, accuracy: 0.001)
    }

    func testTakeoverWithGratuitousARPIsNotTwoMACs() {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 5)
        scenario.add(WireFrames.arp(operation: 1, senderMAC: WireFrames.mac(11), senderIP: vip, targetIP: vip), at: 0.01)
        // The master's last advert is at 4 s; the backup takes over 3.61 s later.
        scenario.advertise(low, priority: 100, from: 7.61, to: 20)
        scenario.add(WireFrames.arp(operation: 1, senderMAC: WireFrames.mac(12), senderIP: vip, targetIP: vip), at: 7.62)
        XCTAssertEqual(scenario.findingKinds(until: 20), [])
    }

    func testAddressesThatAreNotVIPsAreIgnored() {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10)
        scenario.add(WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(2), senderIP: "10.251.2.2", targetIP: high), at: 5)
        scenario.add(WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(3), senderIP: "10.251.2.2", targetIP: high), at: 5)
        XCTAssertEqual(scenario.findingKinds(until: 10), [])
    }

    func testIPv6VIPAnsweredByTwoMACsThroughNeighbourAdvertisements() {
        var scenario = Scenario()
        scenario.advertise("fd00:251:2::11", priority: 150, from: 0, to: 10, vips: ["fd00:251:2::100"])
        scenario.add(WireFrames.neighborAdvertisement(target: "fd00:251:2::100", mac: WireFrames.mac(11)), at: 4)
        scenario.add(WireFrames.neighborAdvertisement(target: "fd00:251:2::100", mac: WireFrames.mac(50)), at: 4.2)
        XCTAssertEqual(scenario.findingKinds(until: 10), [.addressAnsweredByTwoMACs])
    }

    func testSplitBrainCarriesTheDoubleAnswersInsteadOfASecondFinding() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 20)
        scenario.advertise(low, priority: 100, from: 8, to: 20)
        scenario.add(WireFrames.arp(operation: 1, senderMAC: WireFrames.mac(12), senderIP: vip, targetIP: vip), at: 8.01)
        scenario.add(WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(11), senderIP: vip, targetIP: "10.251.2.2"), at: 9)
        scenario.add(WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(12), senderIP: vip, targetIP: "10.251.2.2"), at: 9)
        let (analyzer, _) = scenario.run(until: 12)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.splitBrain])
        let current = try XCTUnwrap(analyzer.currentFindings.first)
        XCTAssertTrue(current.evidence.contains { $0.hasPrefix("both answer for 10.251.2.100") }, "\(current.evidence)")
    }

    func testNoMasterAfterTheLastAdvertGoesSilent() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10.5)
        let (analyzer, events) = scenario.run(until: 20)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.noMaster])
        // Last advert at 10 s; a VRRPv3 priority-1 backup waits 3 s + 255 × 100 / 256 = 99 cs.
        XCTAssertEqual(Scenario.offset(try XCTUnwrap(events.onsets.first).since), 13.99, accuracy: 0.001)
    }

    func testNoMasterForAConfiguredGroupThatNeverAdvertises() throws {
        var scenario = Scenario()
        let key = GroupKey(interface: "eth0", family: .v4, virtualRouterID: 51)
        scenario.settings = MonitorSettings(expectedGroups: [
            ExpectedGroup(name: "VI_1", key: key, version: .v3, interval: .seconds(1), virtualAddresses: [IPAddress(vip)!])
        ])
        let (analyzer, events) = scenario.run(until: 10)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.noMaster])
        let finding = try XCTUnwrap(events.onsets.first)
        XCTAssertTrue(finding.summary.contains("NO MASTER on eth0 VRID 51 (VI_1): no advertisement at all"), finding.summary)
        XCTAssertEqual(Scenario.offset(finding.since), 3.99, accuracy: 0.001)
    }

    func testPriorityZeroIsANoticeThatClearsWhenTheBackupTakesOver() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10.5)
        scenario.add(WireFrames.advertisement(from: high, priority: 0), at: 10.7)
        scenario.advertise(low, priority: 100, from: 11.31, to: 20)
        let (analyzer, events) = scenario.run(until: 20)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.masterLeaving])
        XCTAssertEqual(analyzer.history[0].finding.severity, .notice)
        XCTAssertEqual(Scenario.offset(try XCTUnwrap(events.clearances.first).at), 11.31, accuracy: 0.001)
        XCTAssertTrue(MonitorSummary.isHealthy(analyzer), "a notice alone keeps the run healthy")
    }

    func testFlappingIsMoreThanThreeMasterChangesAMinute() throws {
        var scenario = Scenario()
        // The master alternates every 5 s, each leaving with priority 0.
        for turn in 0..<6 {
            let node = turn % 2 == 0 ? high : low
            let begin = Double(turn) * 5
            scenario.advertise(node, priority: 100, from: begin, to: begin + 4.5)
            scenario.add(WireFrames.advertisement(from: node, priority: 0), at: begin + 4.6)
        }
        let (analyzer, events) = scenario.run(until: 30)
        XCTAssertTrue(analyzer.history.map(\.finding.kind).contains(.flapping), "\(analyzer.history.map(\.finding.kind))")
        let flapping = try XCTUnwrap(events.onsets.first { $0.kind == .flapping })
        XCTAssertEqual(Scenario.offset(flapping.since), 20, accuracy: 0.001, "the fourth change")
    }

    func testVersionMismatch() {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10, version: .v2)
        scenario.advertise(low, priority: 100, from: 0.5, to: 10, version: .v3)
        XCTAssertEqual(Set(scenario.findingKinds(until: 10)), [.versionMismatch, .splitBrain])
    }

    func testUnicastMulticastMix() {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10)
        scenario.advertise(low, priority: 100, from: 0, to: 0.6, destination: high)
        XCTAssertEqual(scenario.findingKinds(until: 10), [.unicastMulticastMix])
    }

    func testWrongTTLNamesTheRouterInBetween() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10, ttl: 254)
        let (analyzer, _) = scenario.run(until: 10)
        XCTAssertEqual(analyzer.history.map(\.finding.kind), [.wrongTTL])
        XCTAssertTrue(analyzer.history[0].finding.summary.contains("arrive with TTL 254"))
    }

    func testRoutedUnicastIsNoWrongTTL() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10, destination: low, ttl: 62)
        XCTAssertFalse(scenario.findingKinds(until: 10).contains(.wrongTTL))
    }

    func testBadChecksumIsCountedPerSender() throws {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 10)
        scenario.advertise(low, priority: 100, from: 0.5, to: 2.5, corruptChecksum: true)
        let (analyzer, _) = scenario.run(until: 10)
        XCTAssertTrue(analyzer.history.map(\.finding.kind).contains(.badChecksum))
        let finding = try XCTUnwrap(analyzer.currentFindings.first { $0.kind == .badChecksum })
        XCTAssertTrue(finding.summary.contains("2 of 2 advertisements from 10.251.2.12"), finding.summary)
    }

    func testMalformedProtocol112PacketsAreCountedNotFatal() {
        var scenario = Scenario()
        scenario.advertise(high, priority: 150, from: 0, to: 5)
        var broken = WireFrames.advertisement(from: low, priority: 100)
        broken[14 + 20] = 0x71  // VRRP version 7
        scenario.add(broken, at: 2)
        let (analyzer, _) = scenario.run(until: 5)
        XCTAssertEqual(analyzer.statistics.malformedAdvertisements, 1)
        XCTAssertEqual(analyzer.statistics.skippedByReason, ["vrrp_bad_version": 1])
        XCTAssertEqual(analyzer.state.groups.values.first?.malformedCounts, ["bad_version": 1])
    }

    func testOneSidedVisibilityComparesTheWireWithTheSocket() throws {
        let key = GroupKey(interface: "eth0", family: .v4, virtualRouterID: 51)
        var analyzer = MonitorAnalyzer(
            settings: MonitorSettings(
                expectedGroups: [ExpectedGroup(name: "VI_1", key: key, version: .v3, interval: .seconds(1), virtualAddresses: [IPAddress(vip)!])],
                localAddresses: [IPAddress(low)!]),
            startedAt: Scenario.start)
        let socket = SocketKey(interface: "eth0", family: .v4)
        var events: [MonitorEvent] = []
        func at(_ seconds: Double) -> MonitorInstant { Scenario.start + .milliseconds(Int64(seconds * 1000)) }
        events += analyzer.recordSocketReceipts(socket, total: 7, at: at(0))
        for second in 0..<6 {
            let time = Double(second) + 0.1
            events += analyzer.observe(
                FrameDecoder.decode(WireFrames.advertisement(from: high, priority: 150), link: .ethernet), interface: "eth0", at: at(time))
            // Our own adverts (a local address) do not count; the socket receives the peer's until 2 s.
            events += analyzer.observe(
                FrameDecoder.decode(WireFrames.advertisement(from: low, priority: 100), link: .ethernet), interface: "eth0", at: at(time + 0.01))
            events += analyzer.recordSocketReceipts(socket, total: second < 2 ? 8 + second : 9, at: at(time + 0.5))
        }
        let onset = try XCTUnwrap(events.onsets.first { $0.kind == .oneSidedVisibility })
        // The socket stopped moving at 1.6 s; the third unseen peer advert came at 4.1 s.
        XCTAssertEqual(Scenario.offset(onset.since), 4.1, accuracy: 0.001)
        XCTAssertTrue(onset.summary.contains("advertisements from 10.251.2.11 reach this node's eth0"), onset.summary)
        XCTAssertEqual(onset.fix, "run `vipd doctor` on this node — it names the rule that drops protocol 112")
        XCTAssertEqual(onset.firewallSuspect, .thisNode)
        events = analyzer.recordSocketReceipts(socket, total: 10, at: at(6.7))
        XCTAssertEqual(events.clearances.map(\.finding.kind), [.oneSidedVisibility])
    }
}
