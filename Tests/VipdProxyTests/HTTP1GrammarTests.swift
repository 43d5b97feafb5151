import XCTest

@testable import VipdProxy

/// The byte classes and recognised field names of the HTTP/1.1 reader, over every byte and spelling.
final class HTTP1GrammarTests: XCTestCase {
    func testTokenBytesAreExactlyRFC9110Tchar() {
        let symbols = Set("!#$%&'*+-.^_`|~".utf8)
        for byte in UInt8.min...UInt8.max {
            let isAlphaNumeric = (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
            XCTAssertEqual(HTTP1Grammar.isToken(byte), isAlphaNumeric || symbols.contains(byte), "byte \(byte)")
        }
    }

    func testRecognisedFieldNamesInAnyLetterCaseAndNothingElse() {
        let names: [(String, HTTP1FieldName)] = [
            ("content-length", .contentLength), ("transfer-encoding", .transferEncoding), ("host", .host),
            ("connection", .connection), ("keep-alive", .keepAlive), ("proxy-connection", .proxyConnection), ("te", .te),
            ("trailer", .trailer), ("upgrade", .upgrade), ("x-forwarded-for", .xForwardedFor),
            ("x-forwarded-proto", .xForwardedProto), ("forwarded", .forwarded),
        ]
        func classify(_ text: String) -> HTTP1FieldName {
            Array(text.utf8).withUnsafeBytes { HTTP1FieldName.classify($0) }
        }
        for (spelling, name) in names {
            XCTAssertEqual(classify(spelling), name, spelling)
            XCTAssertEqual(classify(spelling.uppercased()), name, spelling.uppercased())
            let mixed = String(spelling.enumerated().map { $0.offset % 2 == 0 ? Character($0.element.uppercased()) : $0.element })
            XCTAssertEqual(classify(mixed), name, mixed)
            XCTAssertEqual(classify(String(spelling.dropLast()) + "q"), .other, "last letter changed: \(spelling)")
            XCTAssertEqual(classify("q" + spelling.dropFirst()), .other, "first letter changed: \(spelling)")
            XCTAssertEqual(classify(spelling + "s"), .other, "longer: \(spelling)")
        }
        XCTAssertEqual(classify(""), .other)
        XCTAssertEqual(classify("content_length"), .other)
        XCTAssertEqual(classify("Content-Type"), .other)
    }
}
