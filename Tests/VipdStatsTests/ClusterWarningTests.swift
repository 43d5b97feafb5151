import Foundation
import VipdStats
import VipdVRRP
import XCTest

/// What the nodes' VRRP views say together: two masters, none, and what does not count.
final class ClusterWarningTests: XCTestCase {
    private func instance(_ state: String, named name: String = "VI_1", held: Bool = false) -> VRRPInstanceStatus {
        VRRPInstanceStatus(
            name: name, interface: "eth0", routerID: 51, version: 3, virtualAddresses: ["10.0.0.100/24"], state: state,
            priority: 100, effectivePriority: 100, masterAddress: nil, masterIsThisNode: state == "MASTER", faultReason: nil,
            held: held, advertisementsReceived: 0, advertisementsSent: 0, transitionsTotal: 1, recentTransitions: [])
    }

    private func peer(_ node: String, reachable: Bool = true, _ instances: [VRRPInstanceStatus]) -> PeerStats {
        PeerStats(
            node: node, address: "10.0.0.2:8404", reachable: reachable, error: reachable ? nil : "connection refused",
            lastSeen: 1, vrrp: instances)
    }

    func testOneMasterIsQuiet() {
        XCTAssertEqual(
            ClusterWarning.warnings(node: "ha0", vrrp: [instance("MASTER")], peers: [peer("ha1", [instance("BACKUP")])]), [])
    }

    func testTwoMastersAreSplitBrain() {
        let warnings = ClusterWarning.warnings(node: "ha0", vrrp: [instance("MASTER")], peers: [peer("ha1", [instance("MASTER")])])
        XCTAssertEqual(warnings, [
            ClusterWarning(
                kind: .twoMasters, instance: "VI_1", nodes: ["ha0", "ha1"],
                text: "VI_1: ha0 and ha1 are both MASTER: split brain, each answers for 10.0.0.100/24"),
        ])
        let three = ClusterWarning.warnings(
            node: "ha0", vrrp: [instance("MASTER")], peers: [peer("ha1", [instance("MASTER")]), peer("ha2", [instance("MASTER")])])
        XCTAssertEqual(three.map(\.text), ["VI_1: ha0, ha1 and ha2 are all MASTER: split brain, each answers for 10.0.0.100/24"])
    }

    func testNoMasterNamesEveryState() {
        let warnings = ClusterWarning.warnings(node: "ha0", vrrp: [instance("BACKUP")], peers: [peer("ha1", [instance("FAULT")])])
        XCTAssertEqual(warnings.map(\.kind), [.noMaster])
        XCTAssertEqual(warnings.first?.nodes, ["ha0", "ha1"])
        XCTAssertEqual(
            warnings.first?.text, "VI_1: no node that answers is MASTER (ha0 BACKUP, ha1 FAULT): nobody holds its virtual addresses")
    }

    func testAnUnreachablePeerIsNotCounted() {
        XCTAssertEqual(
            ClusterWarning.warnings(
                node: "ha0", vrrp: [instance("MASTER")], peers: [peer("ha1", reachable: false, [instance("MASTER")])]), [],
            "its last view is stale: it may have yielded since")
        XCTAssertEqual(
            ClusterWarning.warnings(
                node: "ha0", vrrp: [instance("BACKUP")], peers: [peer("ha1", reachable: false, [instance("MASTER")])]).map(\.kind),
            [.noMaster], "the master may be the peer that does not answer; the text says 'that answers'")
    }

    func testInstancesAreJudgedOneByOneInThisNodesOrder() {
        let warnings = ClusterWarning.warnings(
            node: "ha0", vrrp: [instance("MASTER", named: "VI_2"), instance("MASTER", named: "VI_1")],
            peers: [peer("ha1", [instance("BACKUP", named: "VI_1"), instance("MASTER", named: "VI_2"), instance("BACKUP", named: "VI_3")])])
        XCTAssertEqual(warnings.map(\.instance), ["VI_2", "VI_3"])
        XCTAssertEqual(warnings.map(\.kind), [.twoMasters, .noMaster])
        XCTAssertEqual(warnings.last?.nodes, ["ha1"], "an instance only the peer runs")
    }

    func testHeldNodesAreNamedWithWhatTheHoldCosts() {
        let warnings = ClusterWarning.warnings(
            node: "ha0", vrrp: [instance("BACKUP", held: true)], peers: [peer("ha1", [instance("MASTER")])])
        XCTAssertEqual(warnings, [
            ClusterWarning(
                kind: .held, instance: "VI_1", nodes: ["ha0"],
                text: "VI_1: ha0 is held out of the master role by vipd ctl handover: it will not take over 10.0.0.100/24 "
                    + "if the master fails (vipd ctl ready on ha0 ends the hold)"),
        ])
        let both = ClusterWarning.warnings(
            node: "ha0", vrrp: [instance("BACKUP", held: true)], peers: [peer("ha1", [instance("BACKUP", held: true)])])
        XCTAssertEqual(both.map(\.kind), [.noMaster, .held], "the masters' warning first")
        XCTAssertEqual(both.last?.nodes, ["ha0", "ha1"])
        XCTAssertTrue(both.last?.text.contains("ha0 and ha1 are held out of the master role by vipd ctl handover: they will") == true)
        XCTAssertEqual(
            ClusterWarning.warnings(node: "ha0", vrrp: [instance("MASTER")], peers: [peer("ha1", [instance("BACKUP")])]), [],
            "nobody held")
        XCTAssertEqual(
            ClusterWarning.warnings(
                node: "ha0", vrrp: [instance("MASTER")], peers: [peer("ha1", reachable: false, [instance("BACKUP", held: true)])]),
            [], "an unreachable peer's hold is stale")
        XCTAssertEqual(ClusterWarning.warnings(node: "ha0", vrrp: [instance("BACKUP", held: true)], peers: []), [])
    }

    func testAHeldMasterHandingOverIsNotSplitBrain() {
        let handingOver = ClusterWarning.warnings(
            node: "ha0", vrrp: [instance("MASTER", held: true)], peers: [peer("ha1", [instance("MASTER")])])
        XCTAssertEqual(handingOver.map(\.kind), [.held], "ha0 lets the addresses go at ha1's first advertisement")
        let third = ClusterWarning.warnings(
            node: "ha0", vrrp: [instance("MASTER", held: true)],
            peers: [peer("ha1", [instance("MASTER")]), peer("ha2", [instance("MASTER")])])
        XCTAssertEqual(third.map(\.kind), [.twoMasters, .held], "two masters besides the one handing over")
        XCTAssertEqual(third.first?.nodes, ["ha0", "ha1", "ha2"])
    }

    func testAPeerThatDoesNotReportTheHoldCountsAsNotHeld() throws {
        var old = instance("BACKUP")
        old.held = nil
        let json = try JSONEncoder().encode(old)
        XCTAssertFalse(String(decoding: json, as: UTF8.self).contains("held"))
        let decoded = try JSONDecoder().decode(VRRPInstanceStatus.self, from: json)
        XCTAssertNil(decoded.held)
        XCTAssertFalse(decoded.isHeld)
        XCTAssertEqual(
            ClusterWarning.warnings(node: "ha0", vrrp: [instance("MASTER")], peers: [peer("ha1", [decoded])]), [])
    }

    func testASnapshotWithoutPeersHasNoWarnings() {
        let lonely = StatsSnapshot(
            node: "ha0", generatedAt: 0, uptimeSeconds: 0, vrrp: [instance("BACKUP")], pools: [], monitorRunning: false, findings: [])
        XCTAssertEqual(lonely.clusterWarnings, [], "one node alone cannot tell whether another is master")
        XCTAssertEqual(ClusterWarning.warnings(node: "ha0", vrrp: [instance("BACKUP")], peers: []), [])
        let pair = StatsSnapshot(
            node: "ha0", generatedAt: 0, uptimeSeconds: 0, vrrp: [instance("MASTER")], pools: [], monitorRunning: false, findings: [],
            peers: [peer("ha1", [instance("MASTER")])])
        XCTAssertEqual(pair.clusterWarnings.map(\.kind), [.twoMasters])
    }
}
