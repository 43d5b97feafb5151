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
        traffic.ended()
        traffic.connectionOpened()
        XCTAssertEqual(counters.readings[key]?.activeConnections, 1)
        XCTAssertEqual(counters.readings[key]?.totalConnections, 2)
        XCTAssertNil(counters.readings[TrafficCounters.Key(pool: "ssh", server: "ha1")])
        traffic.requestStarted()
        XCTAssertEqual(counters.readings[key]?.totalConnections, 2, "an HTTP request is not counted as a connection")
        XCTAssertEqual(counters.readings[key]?.totalRequests, 1)
    }

    func testErrorsAndStatusClasses() {
        let counters = TrafficCounters()
        let traffic = counters.server("web0", of: "web")
        traffic.connectFailed()
        traffic.retried()
        traffic.redispatched()
        traffic.responseFailed()
        traffic.timedOut()
        traffic.timedOut()
        for status in [101, 200, 204, 302, 404, 503, 503, 700] { traffic.responses.count(status: status) }
        let reading = traffic.reading
        XCTAssertEqual([reading.connectErrors, reading.retries, reading.redispatches, reading.responseErrors, reading.timeouts], [1, 1, 1, 1, 2])
        XCTAssertEqual(reading.responses, [1, 2, 1, 1, 2, 1], "1xx 2xx 3xx 4xx 5xx other")

        let listener = counters.listener("web")
        XCTAssertTrue(counters.listener("web") === listener, "one counter set per listener name, kept across reloads")
        listener.accepted()
        listener.refusedForNoServer()
        listener.rejectedBadRequest()
        listener.requestTimedOut()
        listener.responses.count(status: 408)
        XCTAssertEqual(
            counters.listenerReadings["web"],
            ListenerTraffic.Reading(connections: 1, noServer: 1, badRequests: 1, requestTimeouts: 1, responses: [0, 0, 0, 1, 0, 0]))
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
