import Foundation
import VipdMonitor
import VipdMonitorSession
import XCTest

/// Stopping the live monitor on loopback (root): its threads end and the evidence file is closed.
final class LiveMonitorStopTests: XCTestCase {
    func testBothStopsEndTheThreadsAndCloseTheEvidenceFileOnce() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-live-monitor-\(getpid()).pcap").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        for asynchronously in [true, false] {
            let monitor = try LiveMonitor(
                interfaces: ["lo"], settings: MonitorSettings(), evidencePath: path, tick: .milliseconds(50),
                onFailure: { _ in }, onEvent: { _, _ in })
            monitor.start()
            let started = ContinuousClock.now
            if asynchronously { await monitor.stop() } else { monitor.stopBlockingThisThread() }
            XCTAssertLessThan(ContinuousClock.now - started, .seconds(30), "the threads end when told")
            await monitor.stop()
            monitor.stopBlockingThisThread()
            let header = try Data(contentsOf: URL(fileURLWithPath: path))
            XCTAssertGreaterThanOrEqual(header.count, 24, "the pcap file header is written")
        }
    }
}
