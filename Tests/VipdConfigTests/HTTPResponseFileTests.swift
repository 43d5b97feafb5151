import VipdConfig
import XCTest

/// Whole HTTP responses in files (haproxy's `errorfile`): what is read, and every way one is refused.
final class HTTPResponseFileTests: XCTestCase {
    private func parse(_ text: String) -> Result<HTTPResponseFile, HTTPResponseFileError> {
        HTTPResponseFile.parse(Array(text.utf8))
    }

    func testHAProxysOwnErrorFileWithCRLF() throws {
        let response = try parse(
            "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n"
                + "<html><body><h1>503 Service Unavailable</h1>\r\nNo server is available to handle this request.\r\n</body></html>\r\n"
        ).get()
        XCTAssertEqual(response.status, 503)
        XCTAssertEqual(response.fields, [.init(name: "Cache-Control", value: "no-cache"), .init(name: "Content-Type", value: "text/html")])
        XCTAssertEqual(response.field("content-type"), "text/html")
        XCTAssertEqual(String(decoding: response.body, as: UTF8.self).hasSuffix("</body></html>\r\n"), true)
    }

    func testLFLinesContentLengthAndFramingFields() throws {
        let response = try parse(
            "HTTP/1.1 200 OK\nContent-Length: 5\nTransfer-Encoding: chunked\nKeep-Alive: timeout=5\nX-Why:  maintenance \n\nhello, and more").get()
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.fields, [.init(name: "X-Why", value: "maintenance")], "framing fields are vipd's to write")
        XCTAssertEqual(response.body, Array("hello".utf8), "the body is what Content-Length says")
        XCTAssertEqual(try parse("HTTP/1.1 503 \r\n\r\n").get().body, [], "no reason phrase, no fields, no body")
    }

    func testRefusals() {
        let cases: [(String, String)] = [
            ("", "no empty line after the header fields: not a whole HTTP response"),
            ("<h1>sorry</h1>\n", "no empty line after the header fields: not a whole HTTP response"),
            ("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\n", "no empty line after the header fields: not a whole HTTP response"),
            ("HTTP/2 503\r\n\r\n", #"the first line must be a status line like HTTP/1.1 503 Service Unavailable, not "HTTP/2 503""#),
            ("HTTP/1.1 99 Odd\r\n\r\n", #"the first line must be a status line like HTTP/1.1 503 Service Unavailable, not "HTTP/1.1 99 Odd""#),
            ("HTTP/1.1 700 Odd\r\n\r\n", #"the first line must be a status line like HTTP/1.1 503 Service Unavailable, not "HTTP/1.1 700 Odd""#),
            ("\r\nHTTP/1.1 503 x\r\n\r\n", #"the first line must be a status line like HTTP/1.1 503 Service Unavailable, not """#),
            ("HTTP/1.1 503 x\r\nno colon here\r\n\r\n", #"line 2 is not a header field (NAME: value): "no colon here""#),
            ("HTTP/1.1 503 x\r\nBad Name: v\r\n\r\n", #"line 2 is not a header field (NAME: value): "Bad Name: v""#),
            ("HTTP/1.1 503 x\r\nA: ok\r\n: empty name\r\n\r\n", #"line 3 is not a header field (NAME: value): ": empty name""#),
            ("HTTP/1.1 503 x\r\nContent-Length: 10\r\n\r\nshort", "Content-Length says 10 bytes, the body has 5"),
            // Found by fuzz-response-file (kept in its corpus): a negative length used to trap.
            ("HTTP/1.1 200\nContent-Length:-1\n\n", "Content-Length says -1 bytes, which is no length"),
        ]
        for (text, expected) in cases {
            XCTAssertEqual(parse(text).failure?.description, expected, text.debugDescription)
        }
        XCTAssertEqual(
            HTTPResponseFile.parse(Array("HTTP/1.1 503 x\r\nX: \u{1}\r\n\r\n".utf8)).failure?.description,
            "line 2 is not a header field (NAME: value): \"X: \u{1}\"", "control characters in a value")
    }
}

extension HTTPResponseFileTests {
    /// Random byte mutations of a valid response: a response or a refusal, never a crash; a
    /// response's status is always in range and no framing field survives.
    func testRandomMutationsNeverCrash() {
        var generator = FuzzTests.SeededGenerator(state: 20_261_122)
        let original = Array(
            "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nContent-Length: 12\r\nContent-Type: text/html\r\n\r\n<h1>503</h1>".utf8)
        let alphabet = Array("\r\n: HTTP/1.05039aZ\t\u{0}\u{7f}".utf8) + [0xFF, 0xC3]
        var outcomes = (parsed: 0, refused: 0)
        for _ in 0..<5000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let position = Int.random(in: 0...bytes.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0 where position < bytes.count: bytes.remove(at: position)
                case 1: bytes.insert(alphabet.randomElement(using: &generator)!, at: position)
                default: bytes = Array(bytes.prefix(position))
                }
            }
            switch HTTPResponseFile.parse(bytes) {
            case .success(let response):
                outcomes.parsed += 1
                XCTAssertTrue((200...599).contains(response.status))
                XCTAssertFalse(response.fields.contains { HTTPResponseFile.framingFields.contains($0.name.lowercased()) })
            case .failure:
                outcomes.refused += 1
            }
        }
        XCTAssertGreaterThan(outcomes.parsed, 100, "mutations that keep the shape still parse")
        XCTAssertGreaterThan(outcomes.refused, 100)
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
