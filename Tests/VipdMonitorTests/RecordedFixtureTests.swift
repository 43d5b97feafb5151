import Foundation
import VipdMonitorSession
import VipdMonitor
import XCTest

/// The analyzer on captures recorded in the namespace lab by `scripts/record-monitor-fixtures`
/// (see Fixtures/README.md for each scenario's timeline): exactly the expected findings in each,
/// none in the healthy ones.
final class RecordedFixtureTests: XCTestCase {
    /// Reads `name`.pcap as `vipd monitor --read` does: libpcap, the decoder, the analyzer.
    private func analyze(_ name: String) throws -> MonitorAnalyzer {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: "pcap"))
        let (analyzer, counts) = try CaptureFileAnalysis.analyze(path: url.path, interfaceLabel: "eth0", settings: MonitorSettings()) { _, _ in }
        XCTAssertEqual(Int(counts.received), analyzer.statistics.frames)
        XCTAssertEqual(analyzer.statistics.skipped, 0, "every frame of a lab capture decodes")
        return analyzer
    }

    private func kinds(_ analyzer: MonitorAnalyzer) -> [Finding.Kind] { analyzer.history.map(\.finding.kind).sorted() }

    func testHealthyKeepalivedPairHasNoFinding() throws {
        let analyzer = try analyze("healthy-keepalived")
        XCTAssertEqual(kinds(analyzer), [])
        XCTAssertEqual(analyzer.state.groups.count, 1)
        XCTAssertGreaterThan(analyzer.statistics.addressClaims, 0, "the client's ARP requests were answered")
    }

    func testHealthyVipdPairHasNoFinding() throws {
        let analyzer = try analyze("healthy-vipd")
        XCTAssertEqual(kinds(analyzer), [])
        XCTAssertEqual(analyzer.state.groups.values.first?.advertisers.values.first?.version, .v3)
    }

    func testNftablesDropOnTheBackupIsSplitBrainWithTheFirewallFix() throws {
        let analyzer = try analyze("split-brain-nft")
        XCTAssertEqual(kinds(analyzer), [.splitBrain])
        let finding = analyzer.history[0].finding
        XCTAssertEqual(finding.subject, "10.251.2.11/10.251.2.12")
        XCTAssertTrue(
            finding.summary.contains("10.251.2.12 never hears 10.251.2.11 — a firewall on 10.251.2.12 drops IP protocol 112"),
            finding.summary)
        XCTAssertEqual(finding.fix, "run `vipd doctor` on 10.251.2.12 — it names the rule that drops protocol 112")
    }

    func testTwoClustersOnOneVRIDIsACollision() throws {
        let analyzer = try analyze("vrid-collision")
        XCTAssertEqual(kinds(analyzer), [.routerIDCollision])
        XCTAssertEqual(
            Set(analyzer.history[0].finding.evidence.map { $0.components(separatedBy: ": ").last! }),
            ["[10.251.2.100]", "[10.251.2.200]"])
    }

    func testIntervalMismatch() throws {
        // keepalived's second node advertised once, with both routers' gratuitous ARP for the VIP,
        // then heard the first and stayed backup.
        XCTAssertEqual(kinds(try analyze("interval-mismatch")), [.addressAnsweredByTwoMACs, .intervalMismatch])
    }

    func testAuthenticationMismatchIsSplitBrainCausedByThePasswords() throws {
        let analyzer = try analyze("auth-mismatch")
        XCTAssertEqual(kinds(analyzer), [.splitBrain, .addressAnsweredByTwoMACs, .authenticationMismatch].sorted())
        let split = try XCTUnwrap(analyzer.history.first { $0.finding.kind == .splitBrain }?.finding)
        XCTAssertTrue(split.summary.contains("because their VRRPv2 authentication differs"), split.summary)
        XCTAssertFalse(analyzer.history.map(\.finding.evidence).description.contains("secret"), "no password in any finding")
    }

    func testMasterLeavingWithPriorityZeroIsANoticeAndTheRunStaysHealthy() throws {
        let analyzer = try analyze("priority-zero")
        XCTAssertEqual(kinds(analyzer), [.masterLeaving])
        XCTAssertNotNil(analyzer.history[0].clearedAt, "cleared when the backup took over")
        XCTAssertTrue(MonitorSummary.isHealthy(analyzer))
    }

    func testVIPAnsweredByARogueHost() throws {
        let analyzer = try analyze("two-macs")
        XCTAssertEqual(kinds(analyzer), [.addressAnsweredByTwoMACs])
        XCTAssertTrue(analyzer.history[0].finding.fix.contains("remove 10.251.2.100 from the host with MAC 02:25:19:02:00:50"))
    }
}
