import VipdStats
import XCTest

/// Rates from counter samples over a sliding window, with the times given by the test.
final class CounterRatesTests: XCTestCase {
    func testNoRateFromOneSample() {
        var rates = CounterRates<String>(window: 10)
        XCTAssertEqual(rates.rates(for: "a"), [])
        rates.record(["a": [5, 100]], at: 0)
        XCTAssertEqual(rates.rates(for: "a"), [0, 0])
    }

    func testGrowthOverTheWindow() {
        var rates = CounterRates<String>(window: 10)
        rates.record(["a": [0, 0]], at: 0)
        rates.record(["a": [2, 1000]], at: 1)
        XCTAssertEqual(rates.rates(for: "a"), [2, 1000])
        rates.record(["a": [4, 1000]], at: 2)
        XCTAssertEqual(rates.rates(for: "a"), [2, 500])
    }

    func testOldSamplesLeaveTheWindow() {
        var rates = CounterRates<String>(window: 10)
        for second in 0...30 {
            rates.record(["a": [Double(second < 20 ? second * 10 : 190)]], at: Double(second))
        }
        // Samples from 20 s on: no growth since second 19, the newest sample before the window.
        XCTAssertEqual(rates.rates(for: "a"), [0])
    }

    func testAKeySeenLaterAndACounterThatWentBack() {
        var rates = CounterRates<String>(window: 10)
        rates.record(["a": [10]], at: 0)
        rates.record(["a": [20], "b": [7]], at: 2)
        XCTAssertEqual(rates.rates(for: "b"), [0])
        rates.record(["a": [5], "b": [11]], at: 4)
        XCTAssertEqual(rates.rates(for: "a"), [0])
        XCTAssertEqual(rates.rates(for: "b"), [2])
        XCTAssertEqual(rates.rates(for: "c"), [])
    }
}
