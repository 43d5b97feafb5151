import VipdHealth
import XCTest

final class ServerUptimeHistoryTests: XCTestCase {
    private let start = ContinuousClock.now

    private func at(_ seconds: Int) -> ContinuousClock.Instant { start + .seconds(seconds) }

    func testNothingRecordedIsNeitherUpNorDown() {
        let history = ServerUptimeHistory<ContinuousClock.Instant>()
        XCTAssertNil(history.isUp)
        XCTAssertNil(history.lastChange)
        XCTAssertEqual(history.downtime(at: at(100)), .zero)
    }

    func testDowntimeAddsEveryDownPeriodAndTheCurrentOne() {
        var history = ServerUptimeHistory<ContinuousClock.Instant>()
        history.record(isUp: true, at: at(0))
        history.record(isUp: false, at: at(10))
        history.record(isUp: false, at: at(12))  // a repeat changes nothing
        XCTAssertEqual(history.lastChange, at(10))
        XCTAssertEqual(history.downtime(at: at(15)), .seconds(5))
        history.record(isUp: true, at: at(20))
        XCTAssertEqual(history.downtime(at: at(100)), .seconds(10))
        history.record(isUp: false, at: at(100))
        XCTAssertEqual(history.downtime(at: at(103)), .seconds(13))
        XCTAssertEqual(history.downCount, 2)
        XCTAssertEqual(history.lastChange, at(100))
    }

    func testDownFromTheStartCountsItsTimeButNoDownTransition() {
        var history = ServerUptimeHistory<ContinuousClock.Instant>()
        history.record(isUp: false, at: at(0))
        XCTAssertEqual(history.downtime(at: at(7)), .seconds(7))
        XCTAssertEqual(history.downCount, 0)
    }
}
