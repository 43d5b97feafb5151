import VipdConfig
import XCTest

final class DurationTests: XCTestCase {
    func testValidDurations() throws {
        let table: [(String, Duration)] = [
            ("500ms", .milliseconds(500)),
            ("2s", .seconds(2)),
            ("1m", .seconds(60)),
            ("1h", .seconds(3600)),
            ("1d", .seconds(86400)),
            ("1h30m", .seconds(5400)),
            ("1m30s", .seconds(90)),
            ("1s500ms", .milliseconds(1500)),
            ("1d2h3m4s5ms", .milliseconds(93_784_005)),
            ("0s", .zero),
            ("90s", .seconds(90)),
            ("007s", .seconds(7)),
        ]
        for (text, expected) in table {
            XCTAssertEqual(try Duration(configText: text), expected, text)
        }
    }

    func testInvalidDurations() {
        let table: [(String, DurationSyntaxError)] = [
            ("", .invalid),
            ("30", .missingUnit),
            ("1m30", .missingUnit),
            ("2x", .invalid),
            ("s", .invalid),
            ("-1s", .invalid),
            ("1.5s", .invalid),
            ("1 s", .invalid),
            ("1S", .invalid),
            ("1s1m", .invalid),
            ("1s1s", .invalid),
            ("1us", .invalid),
            ("99999999999999999999s", .tooLarge),
            ("9999999999999999d", .tooLarge),
        ]
        for (text, expected) in table {
            XCTAssertThrowsError(try Duration(configText: text), text) { error in
                XCTAssertEqual(error as? DurationSyntaxError, expected, text)
            }
        }
    }

    func testDurationErrorsInTheConfigNameTheKey() {
        let yaml = minimalConfig("global: { drain_timeout: 2x }")
        assertSingleError(
            yaml, line: 7, column: 26, keyPath: "global.drain_timeout",
            message: #"invalid duration "2x" (use e.g. 500ms, 2s, 1m, 1h)"#)
        assertSingleError(
            minimalConfig("global: { drain_timeout: 30 }"), line: 7, column: 26, keyPath: "global.drain_timeout",
            message: #"duration "30" needs a unit, e.g. "30s" (units: ms, s, m, h, d)"#)
        assertSingleError(
            minimalConfig("global: { drain_timeout: 0s }"), line: 7, column: 26, keyPath: "global.drain_timeout",
            message: "duration must be greater than zero")
    }

    func testTimeoutLongerThanIntervalIsAllowed() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p:
                servers: [{ address: 127.0.0.1:8080 }]
                check: { interval: 1s, timeout: 5s }
            """
        XCTAssertEqual(parseValid(yaml)?.pools.first?.check.timeout, .seconds(5))
    }
}
