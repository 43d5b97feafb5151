import Foundation
import VipdCore
import VipdMonitor
import XCTest

/// The renderers: event lines, JSON lines a JSON parser accepts, the live table and the summary.
final class ReportTests: XCTestCase {
    private func splitBrainRun() -> (MonitorAnalyzer, [MonitorEvent]) {
        var scenario = Scenario()
        scenario.advertise("10.251.2.11", priority: 150, from: 0, to: 20)
        scenario.advertise("10.251.2.12", priority: 100, from: 8, to: 14)
        return scenario.run(until: 20)
    }

    func testInstantsPrintAsUTC() {
        let instant = MonitorInstant(sinceEpoch: .seconds(1_795_219_200) + .milliseconds(1234))
        XCTAssertEqual(instant.isoText, "2026-11-21T00:00:01.234Z")
        XCTAssertEqual(MonitorInstant(sinceEpoch: .seconds(951_782_400)).isoText, "2000-02-29T00:00:00.000Z")
        XCTAssertEqual(MonitorInstant(sinceEpoch: .zero).timeOfDayText, "00:00:00.000")
    }

    /// A capture's timestamps are the file's word: however far from now, they print, never trap.
    func testInstantsFarFromNowPrint() {
        let year4200 = MonitorInstant(sinceEpoch: .seconds(70_372_022_400) + .milliseconds(5))
        XCTAssertEqual(year4200.isoText, "4200-01-01T00:00:00.005Z")
        XCTAssertEqual(MonitorInstant(sinceEpoch: .seconds(253_402_300_799) + .nanoseconds(999_999_999)).isoText, "9999-12-31T23:59:59.999Z")
        XCTAssertEqual(MonitorInstant(sinceEpoch: .seconds(Int64.max)).timeOfDayText, "15:30:07.000")
        XCTAssertEqual(MonitorInstant(sinceEpoch: .milliseconds(-1)).isoText, "1969-12-31T23:59:59.999Z")
        XCTAssertEqual(MonitorInstant(sinceEpoch: .seconds(-86_400) - .milliseconds(1500)).isoText, "1969-12-30T23:59:58.500Z")
        XCTAssertEqual(MonitorInstant(sinceEpoch: .seconds(Int64.min)).timeOfDayText, "08:29:52.000")
    }

    func testEventLinesHaveOneHeadlinePerEvent() {
        let (analyzer, events) = splitBrainRun()
        let lines = events.flatMap { EventLines.lines(for: $0, state: analyzer.state) }
        let headlines = lines.filter { !$0.hasPrefix("    ") }
        XCTAssertEqual(headlines.count, events.count)
        XCTAssertTrue(headlines[0].hasSuffix("eth0 VRID 51: new group: VRRPv3 from 10.251.2.11 prio 150 every 1 s, VIPs 10.251.2.100"), headlines[0])
        XCTAssertTrue(headlines.contains { $0.contains(" CRITICAL SPLIT BRAIN on eth0 VRID 51") })
        XCTAssertTrue(headlines.contains { $0.contains(" CLEARED split-brain on eth0 VRID 51 (10.251.2.11/10.251.2.12) after") }, "\(headlines)")
        XCTAssertTrue(lines.contains { $0 == "    fix: run `vipd doctor` on 10.251.2.12 — it names the rule that drops protocol 112" })
    }

    func testJSONLinesParse() throws {
        let (analyzer, events) = splitBrainRun()
        var objects = try events.map { event in
            try JSONSerialization.jsonObject(with: Data(JSONReport.object(for: event, state: analyzer.state).text.utf8)) as! [String: Any]
        }
        objects.append(
            try JSONSerialization.jsonObject(
                with: Data(MonitorSummary.json(analyzer: analyzer, capture: [CaptureCounts(source: "eth0", received: 40, droppedByKernel: 0)], at: Scenario.start + .seconds(20)).text.utf8))
                as! [String: Any])
        XCTAssertEqual(objects.map { $0["event"] as! String }, ["group", "master", "finding", "cleared", "summary"])
        let finding = objects[2]
        XCTAssertEqual(finding["kind"] as? String, "split-brain")
        XCTAssertEqual(finding["severity"] as? String, "critical")
        XCTAssertEqual((finding["group"] as? [String: Any])?["vrid"] as? Int, 51)
        let summary = objects[4]
        XCTAssertEqual(summary["healthy"] as? Bool, false)
        XCTAssertEqual((summary["findings"] as? [[String: Any]])?.count, 1)
        XCTAssertEqual(((summary["capture"] as? [[String: Any]])?.first)?["dropped_by_kernel"] as? Int, 0)
        XCTAssertEqual(JSONValue.string("a\"b\\c\n\u{1}").text, #""a\"b\\c\n\u0001""#)
    }

    func testLiveTableShowsGroupsAdvertisersAndFindings() {
        var scenario = Scenario()
        scenario.advertise("10.251.2.11", priority: 150, from: 0, to: 20)
        scenario.advertise("10.251.2.12", priority: 100, from: 8, to: 20)
        scenario.add(WireFrames.arp(operation: 2, senderMAC: WireFrames.mac(11), senderIP: "10.251.2.100", targetIP: "10.251.2.2"), at: 19)
        let (analyzer, _) = scenario.run(until: 20)
        let lines = LiveTable.lines(
            analyzer: analyzer, capture: [CaptureCounts(source: "eth0", received: 33, droppedByKernel: 0)],
            at: Scenario.start + .seconds(20), width: 200)
        XCTAssertTrue(lines[0].contains("eth0: 33 packets, 0 dropped by the kernel"))
        XCTAssertTrue(lines.contains { $0.hasPrefix("eth0 VRID 51") && $0.contains("10.251.2.11") && $0.contains("MASTER") }, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("10.251.2.100: 02:25:19:02:00:0b 1×") })
        XCTAssertTrue(lines.contains("FINDINGS (1)"))
        XCTAssertTrue(LiveTable.lines(analyzer: analyzer, capture: [], at: Scenario.start, width: 40).allSatisfy { $0.count <= 40 })
    }

    func testSummaryVerdict() {
        let (analyzer, _) = splitBrainRun()
        let lines = MonitorSummary.lines(analyzer: analyzer, capture: [], at: Scenario.start + .seconds(20))
        XCTAssertEqual(lines.last, "verdict: PROBLEMS FOUND")
        XCTAssertTrue(lines.contains { $0.hasPrefix("  CRITICAL split-brain (") })
        var healthy = Scenario()
        healthy.advertise("10.251.2.11", priority: 150, from: 0, to: 5)
        XCTAssertEqual(MonitorSummary.lines(analyzer: healthy.run(until: 5).analyzer, capture: [], at: Scenario.start).last, "verdict: HEALTHY")
    }
}
