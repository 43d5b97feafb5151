import VipdStats
import XCTest

/// The page's static properties (its behaviour in a browser: `VipdIntegrationTests/StatsPageTests`).
final class StatsPageContentTests: XCTestCase {
    func testSelfContained() {
        let html = StatsPage.html
        for external in ["http://", "https://", "<link", " src=", "@import", "url("] {
            XCTAssertFalse(html.contains(external), "the page must not load \(external)")
        }
        XCTAssertTrue(html.hasPrefix("<!doctype html>"))
    }

    func testPollsTheJSONAndNeverInjectsHTML() {
        let html = StatsPage.html
        XCTAssertTrue(html.contains(#"new URL("stats.json", location.href)"#))
        XCTAssertTrue(html.contains("fetch(STATS_URL, "))
        XCTAssertTrue(html.contains("const POLL_MS = \(StatsPage.pollMilliseconds);"))
        XCTAssertFalse(html.contains("innerHTML"))
        XCTAssertFalse(html.contains("document.write"))
    }

    func testTheMonitorLineGivesTheSnapshotsReasonAndThePoolHeaderCountsAsCtlDoes() {
        let html = StatsPage.html
        XCTAssertFalse(html.contains("needs libpcap"), "the monitor does not run for a reason the snapshot gives")
        XCTAssertTrue(html.contains("s.monitorNotRunningReason"))
        XCTAssertTrue(html.contains(#"x.state === "UP" && x.adminState === "ready""#), "a drained server takes no new connections")
        XCTAssertTrue(html.contains(#"" take new connections · ""#))
    }
}
