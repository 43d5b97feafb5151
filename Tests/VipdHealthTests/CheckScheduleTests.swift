import XCTest
import VipdHealth

/// A clock that moves only when told to.
struct ManualClock: Clock {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    var now = Instant(offset: .zero)
    var minimumResolution: Duration { .nanoseconds(1) }
    func sleep(until deadline: Instant, tolerance: Duration?) async throws {}

    mutating func advance(_ duration: Duration) { now = now.advanced(by: duration) }
}

final class CheckScheduleTests: XCTestCase {
    func testFirstCheckIsDueAtOnce() {
        let clock = ManualClock()
        let schedule = CheckSchedule<ManualClock>(interval: .seconds(2))
        XCTAssertTrue(schedule.isDue(now: clock.now))
        XCTAssertEqual(schedule.nextDue(now: clock.now), clock.now)
        XCTAssertEqual(schedule.delay(now: clock.now), .zero)
    }

    func testIntervalCountsFromTheStartOfTheLastCheck() {
        var clock = ManualClock()
        var schedule = CheckSchedule<ManualClock>(interval: .seconds(2))
        XCTAssertTrue(schedule.checkStarted(at: clock.now))
        clock.advance(.milliseconds(300))
        schedule.checkFinished(at: clock.now)
        XCTAssertEqual(schedule.delay(now: clock.now), .milliseconds(1700))
        XCTAssertFalse(schedule.isDue(now: clock.now))
        clock.advance(.milliseconds(1699))
        XCTAssertFalse(schedule.isDue(now: clock.now))
        clock.advance(.milliseconds(1))
        XCTAssertTrue(schedule.isDue(now: clock.now))
        clock.advance(.seconds(5))
        XCTAssertEqual(schedule.delay(now: clock.now), .zero, "overdue: at once, never negative")
    }

    func testChecksNeverOverlap() {
        var clock = ManualClock()
        var schedule = CheckSchedule<ManualClock>(interval: .milliseconds(100))
        XCTAssertTrue(schedule.checkStarted(at: clock.now))
        clock.advance(.seconds(10))
        XCTAssertNil(schedule.nextDue(now: clock.now))
        XCTAssertNil(schedule.delay(now: clock.now))
        XCTAssertFalse(schedule.isDue(now: clock.now))
        XCTAssertFalse(schedule.checkStarted(at: clock.now), "a second start while running is refused")
        XCTAssertTrue(schedule.isRunning)
    }

    func testCheckLongerThanIntervalIsFollowedAtOnce() {
        var clock = ManualClock()
        var schedule = CheckSchedule<ManualClock>(interval: .milliseconds(100))
        schedule.checkStarted(at: clock.now)
        clock.advance(.milliseconds(2000))  // a timeout longer than the interval
        schedule.checkFinished(at: clock.now)
        XCTAssertEqual(schedule.nextDue(now: clock.now), clock.now)
        XCTAssertTrue(schedule.isDue(now: clock.now))
    }

    func testWorksWithContinuousClock() {
        var schedule = CheckSchedule<ContinuousClock>(interval: .seconds(1))
        let start = ContinuousClock.now
        schedule.checkStarted(at: start)
        schedule.checkFinished(at: start)
        XCTAssertEqual(schedule.nextDue(now: start), start.advanced(by: .seconds(1)))
    }
}
