import VipdCore
import XCTest

/// Durations in whole milliseconds and centiseconds, and in seconds for Foundation.
final class DurationUnitsTests: XCTestCase {
    func testWholeUnitsRoundDown() {
        XCTAssertEqual(Duration.milliseconds(2001).wholeMilliseconds, 2001)
        XCTAssertEqual(Duration.microseconds(2_001_999).wholeMilliseconds, 2001)
        XCTAssertEqual(Duration.seconds(90).wholeMilliseconds, 90_000)
        XCTAssertEqual(Duration.milliseconds(1019).wholeCentiseconds, 101)
        XCTAssertEqual(Duration.seconds(3).wholeCentiseconds, 300)
        XCTAssertEqual(Duration.nanoseconds(9_999_999).wholeCentiseconds, 0)
        XCTAssertEqual(Duration.zero.wholeMilliseconds, 0)
    }

    func testCentisecondsReadBack() {
        XCTAssertEqual(Duration.centiseconds(101), .milliseconds(1010))
        for count: Int64 in [0, 1, 99, 100, 4095] {
            XCTAssertEqual(Duration.centiseconds(count).wholeCentiseconds, count)
        }
    }

    func testTimeIntervalIsSeconds() {
        XCTAssertEqual(Duration.milliseconds(1500).timeInterval, 1.5)
        XCTAssertEqual(Duration.seconds(-2).timeInterval, -2)
        XCTAssertEqual(Duration.zero.timeInterval, 0)
    }
}
