import NIOCore
import NIOHTTP1
import XCTest

@testable import VipdProxy

/// The head parser on raw bytes: where a head ends, the lines and fields it refuses, its limits.
final class HTTP1HeadParserTests: XCTestCase {
    private static let request = "GET /a?b=c HTTP/1.1\r\nHost: example.com\r\nUser-Agent:  t/1 \t\r\n\r\n"

    private func parse(_ text: String, maxBytes: Int = 65536, maxFields: Int = 100) throws(HTTP1SyntaxError) -> HTTP1Head? {
        var buffer = ByteBuffer(string: text)
        var parser = HTTP1HeadParser(maxBytes: maxBytes, maxFields: maxFields)
        return try parser.take(from: &buffer)
    }

    /// The kind of error `text` is refused with, nil when it is accepted (or incomplete).
    private func failure(_ text: String, maxBytes: Int = 65536, maxFields: Int = 100) -> HTTP1SyntaxError.Kind? {
        do {
            _ = try parse(text, maxBytes: maxBytes, maxFields: maxFields)
            return nil
        } catch {
            return error.kind
        }
    }

    private func fieldText(_ head: HTTP1Head) -> [String] {
        head.fields.map { "\(head.text($0.nameRange))=\(head.text($0.valueRange))" }
    }

    func testCompleteHeadInOneBufferLeavesTheBody() throws {
        var buffer = ByteBuffer(string: Self.request + "BODY")
        var parser = HTTP1HeadParser(maxBytes: 1024, maxFields: 10)
        let head = try XCTUnwrap(try parser.take(from: &buffer))
        XCTAssertEqual(head.text(head.startLine), "GET /a?b=c HTTP/1.1")
        XCTAssertEqual(head.bytes.readableBytes, Self.request.utf8.count)
        XCTAssertEqual(fieldText(head), ["Host=example.com", "User-Agent=t/1"])
        XCTAssertEqual(head.fields.map(\.name), [.host, .other])
        XCTAssertEqual(buffer.readableString, "BODY")
    }

    func testHeadFedOneByteAtATime() throws {
        let bytes = Array((Self.request + "BODY").utf8)
        var buffer = ByteBuffer()
        var parser = HTTP1HeadParser(maxBytes: 1024, maxFields: 10)
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            if let head = try parser.take(from: &buffer) {
                XCTAssertEqual(index, Self.request.utf8.count - 1, "head returned at byte \(index)")
                XCTAssertEqual(fieldText(head), ["Host=example.com", "User-Agent=t/1"])
                XCTAssertEqual(buffer.readableBytes, 0)
                buffer.writeBytes(bytes[(index + 1)...])
                XCTAssertEqual(buffer.readableString, "BODY")
                return
            }
        }
        XCTFail("no head")
    }

    func testEverySplitIntoTwoBuffersGivesTheSameHead() throws {
        let text = "\r\n" + Self.request
        let bytes = Array(text.utf8)
        for split in 0...bytes.count {
            var buffer = ByteBuffer(bytes: bytes[..<split])
            var parser = HTTP1HeadParser(maxBytes: 1024, maxFields: 10)
            do {
                let first = try parser.take(from: &buffer)
                XCTAssertEqual(first == nil, split < bytes.count, "split \(split)")
                if first == nil {
                    buffer.writeBytes(bytes[split...])
                    let head = try XCTUnwrap(try parser.take(from: &buffer), "split \(split)")
                    XCTAssertEqual(head.text(head.startLine), "GET /a?b=c HTTP/1.1", "split \(split)")
                    XCTAssertEqual(fieldText(head), ["Host=example.com", "User-Agent=t/1"], "split \(split)")
                }
            } catch {
                XCTFail("split \(split): \(error)")
            }
        }
    }

    func testLeadingEmptyLinesAreSkipped() throws {
        var buffer = ByteBuffer(string: "\r\n\r\n" + Self.request)
        var parser = HTTP1HeadParser(maxBytes: 1024, maxFields: 10)
        let head = try XCTUnwrap(try parser.take(from: &buffer))
        XCTAssertEqual(head.bytes.readableString, Self.request)
        XCTAssertEqual(head.startLine, 0..<19)
        XCTAssertNil(try parse("\r\n\r\n"), "only empty lines: wait for the start line")
    }

    func testBareLineEndingsAreMalformed() {
        for text in [
            "GET / HTTP/1.1\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\nHost: a\n\r\n", "GET / HTTP/1.1\r\nHost: a\r\n\n",
            "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\rX\r\nHost: a\r\n\r\n", "GET / HTTP/1.1\r\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", "GET / HTTP/1.1\r\nHo\rst: a\r\n\r\n", "GET / HTTP/1.1\r\n\r\r\n\r\n",
        ] {
            XCTAssertEqual(failure(text), .malformed, text.debugDescription)
        }
    }

    func testInvalidFieldLinesAreMalformed() {
        for line in [
            " folded", "\tfolded", "Host : a", "Host\t: a", ": a", "Ho st: a", "Host", "H\u{E9}st: a", "Host;: a",
            "X: a\u{01}b", "X: a\u{7F}", "X: \u{00}", "X: a\u{0B}", "X: a\u{1F}",
        ] {
            XCTAssertEqual(failure("GET / HTTP/1.1\r\nHost: a\r\n\(line)\r\n\r\n"), .malformed, line.debugDescription)
        }
        XCTAssertEqual(failure("GET / HTTP/1.1\r\n folded: a\r\n\r\n"), .malformed, "a fold right after the start line")
    }

    func testValuesAreTrimmedOfOptionalWhitespaceOnly() throws {
        let text = "GET / HTTP/1.1\r\nX-A: \t v a\tl \t \r\nX-B:\r\nX-C:    \r\nX-D:caf\u{E9}!\r\n\r\n"
        let head = try XCTUnwrap(try parse(text))
        XCTAssertEqual(fieldText(head), ["X-A=v a\tl", "X-B=", "X-C=", "X-D=caf\u{E9}!"])
        let first = head.fields[0]
        XCTAssertEqual(first.nameRange, 16..<19)
        XCTAssertEqual(first.valueRange, 23..<28)
        XCTAssertEqual(first.lineRange, 16..<33)
        XCTAssertEqual(head.text(first.lineRange), "X-A: \t v a\tl \t \r\n")
        XCTAssertTrue(head.fields[1].valueRange.isEmpty)
    }

    func testHeadLongerThanTheLimitIsTooLarge() {
        let head = "GET / HTTP/1.1\r\nHost: a\r\n\r\n"  // 27 bytes
        XCTAssertNotNil(try parse(head, maxBytes: 27))
        XCTAssertEqual(failure(head, maxBytes: 26), .headTooLarge, "complete but too long")
        XCTAssertEqual(failure(head + "body bytes after the head", maxBytes: 27), nil, "the body does not count")
        XCTAssertNil(try parse(String(repeating: "a", count: 64), maxBytes: 64), "incomplete, within the limit")
        XCTAssertEqual(failure(String(repeating: "a", count: 65), maxBytes: 64), .headTooLarge, "incomplete, one line")
        XCTAssertEqual(failure("GET / HTTP/1.1\r\nX: " + String(repeating: "v", count: 60), maxBytes: 64), .headTooLarge)
    }

    func testMoreFieldsThanTheLimitIsTooLarge() {
        let fields = (1...4).map { "X-\($0): v\r\n" }
        XCTAssertNotNil(try parse("GET / HTTP/1.1\r\n" + fields[..<3].joined() + "\r\n", maxFields: 3))
        XCTAssertEqual(failure("GET / HTTP/1.1\r\n" + fields.joined() + "\r\n", maxFields: 3), .headTooLarge)
        XCTAssertEqual(failure("GET / HTTP/1.1\r\n" + fields.joined(), maxFields: 3), .headTooLarge, "before the head ends")
    }

    func testFieldNamesAreClassifiedIgnoringCase() throws {
        let names: [(String, HTTP1FieldName)] = [
            ("CONTENT-LENGTH", .contentLength), ("Transfer-Encoding", .transferEncoding), ("hOsT", .host),
            ("Connection", .connection), ("Keep-Alive", .keepAlive), ("Proxy-Connection", .proxyConnection), ("TE", .te),
            ("Trailer", .trailer), ("UPGRADE", .upgrade), ("X-Forwarded-For", .xForwardedFor),
            ("x-forwarded-PROTO", .xForwardedProto), ("Forwarded", .forwarded), ("Content-Lengths", .other),
            ("Hos", .other), ("T", .other), ("X-Forwarded-Host", .other),
        ]
        let head = try XCTUnwrap(try parse("GET / HTTP/1.1\r\n" + names.map { "\($0.0): v\r\n" }.joined() + "\r\n"))
        XCTAssertEqual(head.fields.map(\.name), names.map(\.1))
    }

    func testContentLengthWithAndWithoutRepeats() throws {
        func length(_ values: [String], repeats: Bool) throws -> String {
            let head = try XCTUnwrap(try parse("HTTP/1.1 200 OK\r\n" + values.map { "Content-Length:\($0)\r\n" }.joined() + "\r\n"))
            switch head.contentLength(allowingRepeats: repeats) {
            case nil: return "none"
            case .success(let value): return "\(value)"
            case .failure(let error): return "\(error.kind)"
            }
        }
        XCTAssertEqual(try length([], repeats: false), "none")
        XCTAssertEqual(try length([" 42 "], repeats: false), "42")
        XCTAssertEqual(try length(["0"], repeats: false), "0")
        XCTAssertEqual(try length(["5, 5"], repeats: true), "5")
        XCTAssertEqual(try length(["5", "5"], repeats: true), "5")
        XCTAssertEqual(try length(["999999999999999999"], repeats: false), "999999999999999999")
        for values in [["5, 5"], ["5", "5"], ["5", "6"], ["5,6"], ["5,"], [""], ["+5"], ["5 5"], ["9999999999999999999"]] {
            XCTAssertEqual(try length(values, repeats: false), "malformed", "\(values)")
        }
        for values in [["5", "6"], ["5, 6"], ["5,"], [",5"], [""], ["0x5"]] {
            XCTAssertEqual(try length(values, repeats: true), "malformed", "\(values)")
        }
    }

    func testEndToEndFieldsDropHopByHopAndConnectionNamedFields() throws {
        let head = try XCTUnwrap(
            try parse(
                "GET / HTTP/1.1\r\nHost: a\r\nConnection: X-Secret, close\r\nKeep-Alive: 5\r\nProxy-Connection: x\r\n"
                    + "TE: trailers\r\nTrailer: X\r\nUpgrade: h2c\r\nx-secret: 1\r\nX-SECRET: 2\r\nconnection: Other-Hop\r\n"
                    + "other-hop: 3\r\nX-Kept: 4\r\nContent-Length: 0\r\n\r\n"))
        XCTAssertEqual(head.fields.filter(head.isEndToEnd).map { head.text($0.nameRange) }, ["Host", "X-Kept", "Content-Length"])
        XCTAssertEqual(head.lowercasedElements(.connection), ["x-secret", "close", "other-hop"])
        XCTAssertTrue(head.connectionClose)
        XCTAssertFalse(head.connectionKeepAlive)
        XCTAssertEqual(head.count(.connection), 2)
        let plain = try XCTUnwrap(try parse("GET / HTTP/1.1\r\nHost: a\r\nTE: x\r\nX-Secret: 1\r\n\r\n"))
        XCTAssertEqual(plain.fields.filter(plain.isEndToEnd).map { plain.text($0.nameRange) }, ["Host", "X-Secret"])
    }
}

/// The request line, keep-alive, and the framing rules of `HTTPRequestValidation` on parsed bytes.
final class HTTP1RequestHeadTests: XCTestCase {
    private func request(_ text: String) throws(HTTP1SyntaxError) -> HTTP1RequestHead {
        var buffer = ByteBuffer(string: text)
        var parser = HTTP1HeadParser(maxBytes: 65536, maxFields: 100)
        guard let head = try parser.take(from: &buffer) else { throw .malformed("incomplete test head") }
        return try HTTP1RequestHead(head)
    }

    private func failure(_ line: String) -> HTTP1SyntaxError.Kind? {
        do {
            _ = try request(line + "\r\nHost: a\r\n\r\n")
            return nil
        } catch {
            return error.kind
        }
    }

    func testRequestLineIsParsed() throws {
        let get = try request("GET /path?q=1#f HTTP/1.1\r\nHost: a\r\n\r\n")
        XCTAssertEqual(get.method, .GET)
        XCTAssertEqual(get.uri, "/path?q=1#f")
        XCTAssertEqual(get.version, .http1_1)
        XCTAssertEqual(get.minorVersion, 1)
        let options = try request("OPTIONS * HTTP/1.0\r\n\r\n")
        XCTAssertEqual(options.method, .OPTIONS)
        XCTAssertEqual(options.uri, "*")
        XCTAssertEqual(options.version, .http1_0)
        let custom = try request("M-SEARCH http://h:1/x HTTP/1.1\r\n\r\n")
        XCTAssertEqual(custom.method, .RAW(value: "M-SEARCH"))
        XCTAssertEqual(custom.uri, "http://h:1/x")
    }

    func testMethodsAreRecognisedCaseSensitivelyWhetherCommonOrNot() throws {
        let expected: [String: HTTPMethod] = [
            "GET": .GET, "PUT": .PUT, "HEAD": .HEAD, "POST": .POST, "PATCH": .PATCH, "DELETE": .DELETE, "OPTIONS": .OPTIONS,
            "TRACE": .TRACE, "CONNECT": .CONNECT, "PROPFIND": .PROPFIND, "get": .RAW(value: "get"), "GETS": .RAW(value: "GETS"),
            "Post": .RAW(value: "Post"), "HEADX": .RAW(value: "HEADX"),
        ]
        for (name, method) in expected {
            XCTAssertEqual(try request("\(name) / HTTP/1.1\r\nHost: a\r\n\r\n").method, method, name)
            XCTAssertEqual(HTTPMethod(rawValue: name), method, "the same as NIO's reading of \(name)")
        }
    }

    func testOtherVersionsAreUnsupported() {
        for version in ["HTTP/2.0", "HTTP/1.2", "HTTP/1.9", "HTTP/0.9", "HTTP/3.1"] {
            XCTAssertEqual(failure("GET / \(version)"), .unsupportedVersion, version)
        }
    }

    func testMalformedRequestLines() {
        for line in [
            "GET  / HTTP/1.1", "GET /  HTTP/1.1", "GET /", "GET / ", "GET /HTTP/1.1", "GET / http/1.1", "GET / HTTP/1.",
            "GET / HTTP/1.10", "GET / HTTP/11", "GET /a\u{01}b HTTP/1.1", "GET /a\u{7F} HTTP/1.1", "GET /a\tb HTTP/1.1",
            " GET / HTTP/1.1", "G(T / HTTP/1.1", "/ HTTP/1.1", "GET / HTTP/1.1 ", "GET\t/ HTTP/1.1", "GET /\u{E9} HTTP/1.1",
        ] {
            XCTAssertEqual(failure(line), .malformed, line.debugDescription)
        }
    }

    func testKeepAliveByVersionAndConnection() throws {
        let cases: [(String, Bool)] = [
            ("HTTP/1.1", true), ("HTTP/1.1\r\nConnection: close", false), ("HTTP/1.1\r\nConnection: Upgrade, CLOSE", false),
            ("HTTP/1.1\r\nConnection: keep-alive", true), ("HTTP/1.0", false), ("HTTP/1.0\r\nConnection: Keep-Alive", true),
            ("HTTP/1.0\r\nConnection: close", false), ("HTTP/1.0\r\nKeep-Alive: 5", false),
        ]
        for (rest, keepAlive) in cases {
            XCTAssertEqual(try request("GET / \(rest)\r\nHost: a\r\n\r\n").isKeepAlive, keepAlive, rest.debugDescription)
        }
    }

    private func framing(_ fields: [String], version: String = "HTTP/1.1", limit: Int = 100) throws
        -> Result<HTTP1BodyFraming, HTTPRejection>
    {
        let text = "POST / \(version)\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
        return HTTPRequestValidation.framing(of: try request(text), maxBodyBytes: limit)
    }

    func testValidationFramingOnRawRequests() throws {
        XCTAssertEqual(try framing(["Host: v"]), .success(.none))
        XCTAssertEqual(try framing(["Host: v", "Content-Length: 100"]), .success(.length(100)))
        XCTAssertEqual(try framing(["Host: v", "content-length:  7 "]), .success(.length(7)))
        XCTAssertEqual(try framing(["Host: v", "Content-Length: 0"]), .success(.none))
        XCTAssertEqual(try framing(["Host: v", "Transfer-Encoding: Chunked"]), .success(.chunked))
        XCTAssertEqual(try framing([], version: "HTTP/1.0"), .success(.none))
        XCTAssertEqual(try framing(["Host: v", "Content-Length: 101"]), .failure(HTTPRequestValidation.bodyTooLarge(maxBodyBytes: 100)))
        let rejected: [[String]] = [
            ["Host: v", "Content-Length: 3", "Transfer-Encoding: chunked"], ["Host: v", "Transfer-Encoding: gzip, chunked"],
            ["Host: v", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"], ["Host: v", "Transfer-Encoding: identity"],
            ["Host: v", "Content-Length: 3", "Content-Length: 3"], ["Host: v", "Content-Length: 3, 4"],
            ["Host: v", "Content-Length: +3"], ["Host: v", "Content-Length: -1"], ["Host: v", "Content-Length: "],
            ["Host: v", "Content-Length: 99999999999999999999999"], ["Host: v", "HOST: w"], [],
        ]
        for fields in rejected {
            guard case .failure(let rejection) = try framing(fields) else {
                XCTFail("\(fields) passed")
                continue
            }
            XCTAssertEqual(rejection.status, .badRequest, "\(fields)")
        }
    }
}

extension ByteBuffer {
    fileprivate var readableString: String { getString(at: readerIndex, length: readableBytes) ?? "" }
}
