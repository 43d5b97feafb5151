import VipdStats
import XCTest

/// The hand-written text format: value formatting, escaping, histogram lines.
final class PrometheusExpositionTests: XCTestCase {
    func testValuesAreFormattedAsTheFormatReadsThem() {
        XCTAssertEqual(PrometheusExposition.format(0), "0")
        XCTAssertEqual(PrometheusExposition.format(17), "17")
        XCTAssertEqual(PrometheusExposition.format(-3), "-3")
        XCTAssertEqual(PrometheusExposition.format(0.0025), "0.0025")
        XCTAssertEqual(PrometheusExposition.format(1e20), "1e+20")
        XCTAssertEqual(PrometheusExposition.format(.infinity), "+Inf")
        XCTAssertEqual(PrometheusExposition.format(-.infinity), "-Inf")
        XCTAssertEqual(PrometheusExposition.format(.nan), "NaN")
    }

    func testFamilyWithEscapedLabelsAndHelp() {
        var exposition = PrometheusExposition()
        exposition.append(
            "vipd_example", .gauge, help: "a \\ back\nslash",
            samples: [
                .init(labels: [("pool", #"a"b\c"#), ("server", "line\nbreak")], value: 1),
                .init(labels: [], value: 2.5),
            ])
        XCTAssertEqual(
            exposition.text,
            #"""
            # HELP vipd_example a \\ back\nslash
            # TYPE vipd_example gauge
            vipd_example{pool="a\"b\\c",server="line\nbreak"} 1
            vipd_example 2.5

            """#)
    }

    func testCarriageReturnAndLineFeedStayOnOneLine() {
        var exposition = PrometheusExposition()
        exposition.append("m", .counter, help: "h", samples: [.init(labels: [("l", "a\r\nb")], value: 1)])
        XCTAssertEqual(exposition.text.split(separator: "\n").count, 3, exposition.text)
    }

    func testHistogramSamplesAreCumulativeAndEndWithInfinity() {
        let histogram = HistogramStats(upperBounds: [0.001, 0.5], cumulativeCounts: [2, 3], sum: 0.75, count: 4)
        let samples = PrometheusExposition.histogramSamples(histogram, labels: [("pool", "p")])
        var exposition = PrometheusExposition()
        exposition.append("vipd_check_duration_seconds", .histogram, help: "h", samples: samples)
        XCTAssertEqual(
            exposition.text,
            """
            # HELP vipd_check_duration_seconds h
            # TYPE vipd_check_duration_seconds histogram
            vipd_check_duration_seconds_bucket{pool="p",le="0.001"} 2
            vipd_check_duration_seconds_bucket{pool="p",le="0.5"} 3
            vipd_check_duration_seconds_bucket{pool="p",le="+Inf"} 4
            vipd_check_duration_seconds_sum{pool="p"} 0.75
            vipd_check_duration_seconds_count{pool="p"} 4

            """)
    }
}
