import VipdHealth
import XCTest

/// Check durations into buckets: bounds inclusive, overflow, sum and cumulative counts.
final class CheckDurationHistogramTests: XCTestCase {
    func testBucketsAreInclusiveUpperBounds() {
        var histogram = CheckDurationHistogram()
        histogram.record(.milliseconds(1))
        histogram.record(.microseconds(1001))
        histogram.record(.zero)
        histogram.record(.seconds(-1))
        histogram.record(.seconds(11))
        XCTAssertEqual(histogram.count, 5)
        XCTAssertEqual(histogram.counts.first, 3, "0, a negative duration and exactly 1 ms")
        XCTAssertEqual(histogram.counts[1], 1, "1.001 ms falls into the 2.5 ms bucket")
        XCTAssertEqual(histogram.counts.last, 1, "above 10 s")
        XCTAssertEqual(histogram.sum, .seconds(11) + .microseconds(2001))
        let cumulative = histogram.cumulativeCounts
        XCTAssertEqual(cumulative.count, CheckDurationHistogram.upperBounds.count + 1)
        XCTAssertEqual(cumulative.first, 3)
        XCTAssertEqual(cumulative[cumulative.count - 2], 4)
        XCTAssertEqual(cumulative.last, 5)
    }

    func testBoundsAscend() {
        let bounds = CheckDurationHistogram.upperBounds
        XCTAssertEqual(bounds, bounds.sorted())
        XCTAssertEqual(Set(bounds).count, bounds.count)
    }
}
