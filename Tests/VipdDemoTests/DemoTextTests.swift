import VipdDemo
import VipdLab
import XCTest

/// The demo's progress lines.
final class DemoTextTests: XCTestCase {
    private func topology() throws -> DemoTopology {
        try DemoTopology(
            configuration: try DemoConfiguration.parsed(), labAddresses: ["10.251.1.11", "10.251.1.12"], labInterface: "eth0")
    }

    func testHeadingsAreNumberedOutOfSix() {
        XCTAssertEqual(DemoText.heading(step: 3, "cut"), ["", "[3/6] cut"])
        XCTAssertEqual(DemoText.command("ip link"), "   $ ip link")
        XCTAssertEqual(DemoText.ok("fine"), "   ok: fine")
        XCTAssertEqual(DemoText.note("seen"), "   seen")
    }

    func testTheConfigurationIsIndentedWithoutTrailingBlankLines() {
        XCTAssertEqual(DemoText.configuration("a:\n  b: 1\n\nc: 2\n\n"), ["    a:", "      b: 1", "", "    c: 2"])
        XCTAssertEqual(DemoText.configuration(DemoConfiguration.yaml).first, "    cluster:")
    }

    func testNodeLinesSayWhoHoldsTheVIP() throws {
        let topology = try topology()
        XCTAssertEqual(
            DemoText.node(0, of: topology, addresses: ["10.251.1.11/24", "10.251.1.100/24"]),
            "   ha0 (priority 100):   10.251.1.11/24 10.251.1.100/24   holds 10.251.1.100")
        XCTAssertEqual(
            DemoText.node(1, of: topology, addresses: ["10.251.1.12/24"]),
            "   ha1 (priority 50):    10.251.1.12/24   does not hold the VIP")
    }

    func testHoldersInWords() throws {
        let topology = try topology()
        XCTAssertEqual(DemoText.holders([], of: topology), "no node")
        XCTAssertEqual(DemoText.holders([1], of: topology), "ha1 only")
        XCTAssertEqual(DemoText.holders([0, 1], of: topology), "ha0 and ha1")
    }

    func testLoginLineNamesTheServingNode() {
        XCTAssertEqual(
            DemoText.login(2, servedBy: "ha1", address: "10.251.1.12", port: 22, took: .milliseconds(312)),
            "   login 2 -> served by ha1 (sshd on 10.251.1.12:22) in 0.3 s")
    }

    func testGapLineInMillisecondsWithTheTimerThatExplainsIt() throws {
        let cut = ContinuousClock.now
        let outcomes = [
            BannerProbeLoop.Outcome(at: cut + .milliseconds(10), succeeded: false),
            BannerProbeLoop.Outcome(at: cut + .milliseconds(3912), succeeded: true),
        ]
        let nodes = try topology().nodes
        XCTAssertEqual(
            DemoText.gap(FailoverGap(outcomes: outcomes, after: cut), timeout: .milliseconds(300), newMaster: nodes[1], oldMaster: nodes[0]),
            "   gap: new connections to the VIP failed for 3912 ms after the cut (1 attempts, each given 300 ms for the "
                + "banner; 0 failed after the first success). ha1's Master_Down_Interval is 3800 ms, counted from ha0's "
                + "last advertisement before the cut")
        XCTAssertEqual(
            DemoText.gap(
                FailoverGap(outcomes: Array(outcomes.prefix(1)), after: cut), timeout: .milliseconds(300), newMaster: nodes[1],
                oldMaster: nodes[0]),
            "   gap: no new connection succeeded after the cut (1 attempts)")
    }

    func testSecondsToOneDecimal() {
        XCTAssertEqual(DemoText.seconds(.milliseconds(3_749)), "3.7 s")
        XCTAssertEqual(DemoText.seconds(.zero), "0.0 s")
        XCTAssertEqual(DemoText.seconds(.seconds(38)), "38.0 s")
    }

    func testHeadlineStopsBeforeTheEvidence() {
        XCTAssertEqual(DemoText.headline("error monitor: ONE-SIDED; evidence: x; fix: y"), "error monitor: ONE-SIDED")
        XCTAssertEqual(DemoText.headline("plain"), "plain")
    }

    func testFindingLinesShowSummaryEvidenceAndFix() {
        let line = MonitorLine(event: "finding", kind: "split-brain", summary: "SPLIT BRAIN", evidence: ["e1", "e2"], fix: "do it")
        XCTAssertEqual(
            DemoText.finding(line),
            ["   monitor: SPLIT BRAIN", "      evidence: e1", "      evidence: e2", "      fix: do it"])
        XCTAssertEqual(DemoText.finding(MonitorLine(event: "finding", kind: "no-master")), ["   monitor: no-master"])
    }
}
