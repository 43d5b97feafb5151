import VipdCore
import XCTest

/// Whitespace trimmed from both ends of a text, and any character class with `trimming(while:)`.
final class StringTrimmingTests: XCTestCase {
    func testWhitespace() {
        XCTAssertEqual(" \t a b \r\n".trimmingWhitespace(), "a b")
        XCTAssertEqual("a".trimmingWhitespace(), "a")
        XCTAssertEqual(" \n ".trimmingWhitespace(), "")
        XCTAssertEqual("".trimmingWhitespace(), "")
        XCTAssertEqual("CapEff:\t0000003fffffffff"[...].dropFirst(7).trimmingWhitespace(), "0000003fffffffff")
    }

    func testPredicate() {
        XCTAssertEqual("\n\na:\n  b\n\n".trimming(while: \.isNewline), "a:\n  b")
        XCTAssertEqual("--x-y--".trimming(while: { $0 == "-" }), "x-y")
    }
}
