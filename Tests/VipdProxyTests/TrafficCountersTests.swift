import NIOCore
import XCTest

@testable import VipdProxy

/// Per-server counters: fed by the connection record as bytes grow, kept by pool and server name.
final class TrafficCountersTests: XCTestCase {
    func testRecordFeedsTheServersCountersAsBytesGrow() {
        let counters = TrafficCounters()
        let traffic = counters.server("ha0", of: "ssh")
        XCTAssertTrue(counters.server("ha0", of: "ssh") === traffic, "one counter set per pool and server")
        let record = ConnectionRecord(client: nil, listener: "ssh", pool: "ssh", acceptedAt: .now())
        record.bytesFromClient += 5  // before a server is chosen: not counted
        traffic.connectionOpened()
        record.traffic = traffic
        record.bytesFromClient += 100
        record.bytesFromServer += 7
        record.bytesFromServer += 3
        let key = TrafficCounters.Key(pool: "ssh", server: "ha0")
        XCTAssertEqual(
            counters.readings[key],
            ServerTraffic.Reading(activeConnections: 1, totalConnections: 1, bytesFromClient: 100, bytesFromServer: 10))
        traffic.connectionClosed()
        traffic.connectionOpened()
        XCTAssertEqual(counters.readings[key]?.activeConnections, 1)
        XCTAssertEqual(counters.readings[key]?.totalConnections, 2)
        XCTAssertNil(counters.readings[TrafficCounters.Key(pool: "ssh", server: "ha1")])
    }

    func testConcurrentUpdatesAreAllCounted() async {
        let traffic = TrafficCounters().server("a", of: "p")
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10_000 { traffic.addBytesFromClient(1) }
                }
            }
        }
        XCTAssertEqual(traffic.reading.bytesFromClient, 80_000)
    }
}
