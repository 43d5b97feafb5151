import VipdCore
import XCTest

/// `secondsText`, the seconds of log lines and reports, for every duration a capture or a config can hold;
/// `millisecondsText`, the milliseconds of check details.
final class DurationTextTests: XCTestCase {
    func testSecondsRoundToCentiseconds() {
        XCTAssertEqual(Duration.milliseconds(3614).secondsText, "3.61 s")
        XCTAssertEqual(Duration.milliseconds(500).secondsText, "0.5 s")
        XCTAssertEqual(Duration.milliseconds(2996).secondsText, "3 s")
        XCTAssertEqual(Duration.milliseconds(1050).secondsText, "1.05 s")
        XCTAssertEqual(Duration.milliseconds(4).secondsText, "0 s")
        XCTAssertEqual(Duration.seconds(-3).secondsText, "0 s")
    }

    /// A packet stamped in the year 4200 is 70 billion seconds after a normal one: more nanoseconds
    /// than 64 bits hold, which used to trap.
    func testDurationsBeyondNanosecondRangePrint() {
        XCTAssertEqual(Duration.seconds(70_000_000_000).secondsText, "70000000000 s")
        XCTAssertEqual((Duration.seconds(Int64.max) + .milliseconds(250)).secondsText, "9223372036854775807.25 s")
        XCTAssertEqual((Duration.seconds(Int64.max) + .milliseconds(999)).secondsText, "9223372036854775808 s")
    }

    func testMillisecondsAreWholeAndRoundedDown() {
        XCTAssertEqual(Duration.seconds(2).millisecondsText, "2000 ms")
        XCTAssertEqual(Duration.microseconds(1999).millisecondsText, "1 ms")
        XCTAssertEqual(Duration.zero.millisecondsText, "0 ms")
    }
}
