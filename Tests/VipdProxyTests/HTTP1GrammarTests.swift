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

    func testFieldValueBytesAreCheckedAsByteByByteAtEveryLengthAndOffset() {
        var generator = SystemRandomNumberGenerator()
        let interesting: [UInt8] = [0x00, 0x09, 0x0A, 0x0D, 0x1F, 0x20, 0x21, 0x7E, 0x7F, 0x80, 0xA0, 0xFF]
        for _ in 0..<20000 {
            let count = Int.random(in: 0...40, using: &generator)
            var bytes = (0..<count).map { _ in UInt8.random(in: 0x20...0x7E, using: &generator) }
            for _ in 0..<Int.random(in: 0...3, using: &generator) where count > 0 {
                bytes[Int.random(in: 0..<count, using: &generator)] = interesting.randomElement(using: &generator)!
            }
            let start = count == 0 ? 0 : Int.random(in: 0...count, using: &generator)
            bytes.withUnsafeBytes { raw in
                let expected = bytes[start...].allSatisfy(HTTP1Grammar.isFieldValueByte)
                XCTAssertEqual(HTTP1Grammar.areFieldValueBytes(raw, start..<count), expected, "\(bytes) from \(start)")
            }
        }
        for byte in UInt8.min...UInt8.max {
            let bytes = [UInt8](repeating: 0x41, count: 16) + [byte] + [UInt8](repeating: 0x41, count: 7)
            bytes.withUnsafeBytes { raw in
                XCTAssertEqual(
                    HTTP1Grammar.areFieldValueBytes(raw, 0..<bytes.count), HTTP1Grammar.isFieldValueByte(byte), "byte \(byte)")
            }
        }
    }
}
