import Foundation
import VipdStats
import XCTest

/// `/stats.json`: the snapshot round-trips, keys are stable names.
final class StatsJSONTests: XCTestCase {
    func testRoundTrip() throws {
        let snapshot = sampleSnapshot()
        let text = try StatsJSON.render(snapshot)
        XCTAssertEqual(try JSONDecoder().decode(StatsSnapshot.self, from: Data(text.utf8)), snapshot)
    }

    func testKeysAndValues() throws {
        let text = try StatsJSON.render(sampleSnapshot())
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        XCTAssertEqual(
            Set(object.keys),
            [
                "node", "generatedAt", "uptimeSeconds", "vrrp", "pools", "listeners", "monitorRunning", "findings", "peers",
                "clusterWarnings", "process",
            ], "monitorNotRunningReason only when the monitor does not run")
        let pool = try XCTUnwrap((object["pools"] as? [[String: Any]])?.first)
        let server = try XCTUnwrap((pool["servers"] as? [[String: Any]])?.last)
        XCTAssertEqual(server["state"] as? String, "DOWN")
        XCTAssertEqual(server["adminState"] as? String, "drain")
        XCTAssertEqual(server["weight"] as? Int, 2, "the weight now")
        XCTAssertEqual(server["configuredWeight"] as? Int, 5)
        XCTAssertEqual((server["lastCheck"] as? [String: Any])?["detail"] as? String, "connection refused")
        XCTAssertTrue(text.contains(#""detail":"SSH banner \"SSH-2.0-OpenSSH_9.2p1\"""#), text)
        XCTAssertEqual(server["connectErrors"] as? Int, 4)
        XCTAssertEqual(server["downtimeSeconds"] as? Double, 42.5)
        XCTAssertEqual((server["httpResponses"] as? [String: Int])?["5xx"], 1)
        let listener = try XCTUnwrap((object["listeners"] as? [[String: Any]])?.first)
        XCTAssertEqual(listener["noServer"] as? Int, 6)
        let instance = try XCTUnwrap((object["vrrp"] as? [[String: Any]])?.first)
        XCTAssertEqual(instance["restoredAddresses"] as? Int, 2)
    }

    func testTheReasonTheMonitorDoesNotRun() throws {
        var snapshot = sampleSnapshot()
        snapshot.monitorRunning = false
        snapshot.monitorNotRunningReason = "no VRRP instance runs on this node"
        XCTAssertTrue(try StatsJSON.render(snapshot).contains(#""monitorNotRunningReason":"no VRRP instance runs on this node""#))
    }

    func testNonFiniteNumbersAreAnError() {
        var snapshot = sampleSnapshot()
        snapshot.pools[0].servers[0].connectionRate = .nan
        XCTAssertThrowsError(try StatsJSON.render(snapshot))
        XCTAssertEqual(StatsResource.json.response(for: snapshot).status, 500)
    }
}
