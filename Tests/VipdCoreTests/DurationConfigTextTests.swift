import VipdCore
import XCTest

/// Durations as a config writes them: `500ms`, `1m30s`, `1d12h`, read and written back.
final class DurationConfigTextTests: XCTestCase {
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

    func testDurationsAsConfigText() throws {
        for (duration, text) in [
            (Duration.seconds(2), "2s"), (.milliseconds(1500), "1s500ms"), (.seconds(90), "1m30s"), (.seconds(3600), "1h"),
            (.seconds(86_400 + 7200), "1d2h"), (.milliseconds(10), "10ms"), (.zero, "0s"),
        ] {
            XCTAssertEqual(duration.configText, text)
            if duration > .zero { XCTAssertEqual(try Duration(configText: text), duration) }
        }
        XCTAssertEqual((Duration.seconds(Int64.max) + .milliseconds(5)).configText, "106751991167300d15h30m7s5ms")
    }
}
