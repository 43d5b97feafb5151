import VipdCore
import XCTest

@testable import VipdProxy

/// ``IdleSweepSchedule``: a sweep every eighth of the timeout, at most every second and at least
/// every nanosecond, and enough quiet sweeps to cover the timeout by less than one interval more;
/// ``IdleCount``: the quiet sweeps in a row; both together close an idle connection between the
/// timeout and two intervals after its last byte.
final class IdleSweepScheduleTests: XCTestCase {
    private static let second: Int64 = 1_000_000_000

    /// Checks the documented bounds of `schedule` for a timeout of `nanoseconds` (at least 1).
    private func checkBounds(_ schedule: IdleSweepSchedule, nanoseconds: Int64, file: StaticString = #filePath, line: UInt = #line) {
        let interval = schedule.intervalNanoseconds
        let quiet = Int64(schedule.quietSweepsAllowed)
        let context = "timeout \(nanoseconds) ns: interval \(interval), quiet sweeps \(quiet)"
        XCTAssertEqual(interval, min(max(nanoseconds / 8, 1), Self.second), context, file: file, line: line)
        XCTAssertGreaterThanOrEqual(quiet * interval, nanoseconds, "the sweeps fall short: \(context)", file: file, line: line)
        XCTAssertLessThan(quiet * interval - interval, nanoseconds, "one sweep too many: \(context)", file: file, line: line)
    }

    func testTimeoutsOfEveryScale() {
        // (timeout, interval in nanoseconds, quiet sweeps allowed)
        let cases: [(Duration, Int64, Int)] = [
            (.nanoseconds(1), 1, 1),
            (.nanoseconds(2), 1, 2),
            (.nanoseconds(7), 1, 7),
            (.nanoseconds(8), 1, 8),
            (.nanoseconds(9), 1, 9),
            (.nanoseconds(16), 2, 8),
            (.nanoseconds(17), 2, 9),
            (.microseconds(1), 125, 8),
            (.milliseconds(100), 12_500_000, 8),
            (.milliseconds(1001), 125_125_000, 8),
            (.nanoseconds(1_000_000_001), 125_000_000, 9),
            (.milliseconds(7999), 999_875_000, 8),
            (.seconds(8), 1_000_000_000, 8),
            (.milliseconds(8001), 1_000_000_000, 9),
            (.milliseconds(8500), 1_000_000_000, 9),
            (.seconds(9), 1_000_000_000, 9),
            (.seconds(3600), 1_000_000_000, 3600),
            (.seconds(3600) + .nanoseconds(1), 1_000_000_000, 3601),
            (.seconds(86_400 * 106_751), 1_000_000_000, 9_223_286_400),
            // The longest timeout whose nanoseconds and one interval still fit in an Int64.
            (.nanoseconds(Int64.max - 1_000_000_000), 1_000_000_000, 9_223_372_036),
        ]
        for (timeout, interval, quiet) in cases {
            let schedule = IdleSweepSchedule(timeout: timeout)
            XCTAssertEqual(schedule.timeout, timeout)
            XCTAssertEqual(schedule.intervalNanoseconds, interval, "\(timeout)")
            XCTAssertEqual(schedule.quietSweepsAllowed, quiet, "\(timeout)")
            checkBounds(schedule, nanoseconds: Int64(timeout.components.seconds) * Self.second + timeout.components.attoseconds / Self.second)
        }
    }

    func testNoTimeoutSweepsMoreOftenThanEveryNanosecond() {
        for timeout: Duration in [.zero, .nanoseconds(-1), .seconds(-5), Duration(secondsComponent: 0, attosecondsComponent: 500_000_000)] {
            let schedule = IdleSweepSchedule(timeout: timeout)
            XCTAssertEqual(schedule.intervalNanoseconds, 1, "\(timeout)")
            XCTAssertEqual(schedule.quietSweepsAllowed, 1, "\(timeout)")
            XCTAssertEqual(schedule.timeout, timeout)
        }
    }

    func testRandomTimeoutsKeepTheBounds() {
        var generator = SeededGenerator(state: 424_242)
        var timeouts: [Int64] = (0..<63).flatMap { bit in [Int64(1) << bit, (Int64(1) << bit) - 1, (Int64(1) << bit) + 1] }
        timeouts += (0..<20_000).map { _ in
            // Spread over every scale: a random number of bits, then a random value of that size.
            let bits = generator.int64(1...50)
            return generator.int64((Int64(1) << (bits - 1))...((Int64(1) << bits) - 1))
        }
        timeouts += (-100...100).map { 8 * Self.second + $0 }
        for nanoseconds in timeouts where nanoseconds > 0 && nanoseconds <= Int64.max - Self.second {
            checkBounds(IdleSweepSchedule(timeout: .nanoseconds(nanoseconds)), nanoseconds: nanoseconds)
        }
    }

    func testTheLongestTimeoutTheConfigAcceptsDoesNotTrap() throws {
        // 106752 days is past the nanoseconds an Int64 holds (about 106751.99 days), so TimeAmount
        // clamps it to Int64.max; the config reads durations up to Int64.max milliseconds.
        let schedule = IdleSweepSchedule(timeout: try Duration(configText: "106752d"))
        XCTAssertEqual(schedule.intervalNanoseconds, Self.second)
        XCTAssertGreaterThanOrEqual(schedule.quietSweepsAllowed, Int(Int64.max / Self.second))
    }

    // MARK: - IdleCount

    func testTheFirstSweepStartsTheCount() {
        var fresh = IdleCount()
        XCTAssertEqual(fresh.swept(bytes: 0), 0, "a connection that moved nothing yet may have started just before")
        var busy = IdleCount()
        XCTAssertEqual(busy.swept(bytes: 4096), 0)
    }

    func testUnchangedBytesCountUp() {
        var count = IdleCount()
        XCTAssertEqual((0..<6).map { _ in count.swept(bytes: 0) }, [0, 1, 2, 3, 4, 5])
        var other = IdleCount()
        XCTAssertEqual((0..<4).map { _ in other.swept(bytes: 77) }, [0, 1, 2, 3])
    }

    func testAChangeResetsTheCount() {
        var count = IdleCount()
        XCTAssertEqual([10, 10, 10, 11, 11, 11, 11, 500, 500].map { count.swept(bytes: $0) }, [0, 1, 2, 0, 1, 2, 3, 0, 1])
    }

    func testOnlyTheLastSweepsBytesCount() {
        var count = IdleCount()
        XCTAssertEqual([5, 6, 5, 5, 6, 6].map { count.swept(bytes: $0) }, [0, 0, 0, 1, 0, 1], "a return to older counts is a change")
        var wrapped = IdleCount()
        XCTAssertEqual([Int.max, Int.max, Int.min, Int.min].map { wrapped.swept(bytes: $0) }, [0, 1, 0, 1])
    }

    // MARK: - Both together

    func testAnIdleConnectionClosesBetweenTheTimeoutAndTwoIntervalsAfterItsLastByte() {
        var generator = SeededGenerator(state: 8_675_309)
        let timeouts: [Int64] = [1, 2, 3, 7, 8, 9, 15, 16, 17, 100, 1001, 12_345, 100_000_000, 8 * Self.second, 9 * Self.second + 1, 3600 * Self.second]
        for timeout in timeouts {
            let schedule = IdleSweepSchedule(timeout: .nanoseconds(timeout))
            let interval = schedule.intervalNanoseconds
            for trial in 0..<100 {
                // Sweeps at every multiple of the interval; the connection starts at a random time and
                // moves bytes after random gaps, some longer than the timeout. A byte at a sweep's time
                // is seen by it.
                let start = generator.int64(0...3 * interval)
                var byteTimes: [Int64] = []
                var time = start
                for _ in 0..<generator.int64(0...4) {
                    time += generator.int64(0...2 * timeout + 2 * interval)
                    byteTimes.append(time)
                }
                var idle = IdleCount()
                var sweep = (start / interval + 1) * interval
                if start % interval == 0, generator.int64(0...1) == 0 { sweep = start }
                var closed: Int64?
                while closed == nil, sweep <= (byteTimes.last ?? start) + timeout + 2 * interval {
                    let bytes = byteTimes.filter { $0 <= sweep }.count * 1000
                    if idle.swept(bytes: bytes) >= schedule.quietSweepsAllowed { closed = sweep }
                    sweep += interval
                }
                let context = "timeout \(timeout), trial \(trial): start \(start), bytes at \(byteTimes), interval \(interval)"
                guard let closed else {
                    XCTFail("never closed: \(context)")
                    continue
                }
                // Every quiet stretch before the close was too short to close it; the last one closed it in time.
                let activity = [start] + byteTimes.filter { $0 < closed }
                for (earlier, later) in zip(activity, activity.dropFirst()) {
                    XCTAssertLessThan(later - earlier, timeout + 2 * interval, "not closed in the quiet from \(earlier) to \(later): \(context)")
                }
                XCTAssertGreaterThanOrEqual(closed - activity.last!, timeout, "closed early at \(closed): \(context)")
                XCTAssertLessThan(closed - activity.last!, timeout + 2 * interval, "closed late at \(closed): \(context)")
            }
        }
    }
}
