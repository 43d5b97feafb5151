import NIOHTTP1
import XCTest

@testable import VipdProxy

/// The smuggling and size rules on request heads as they arrive.
final class HTTPRequestValidationTests: XCTestCase {
    private func framing(_ fields: [String], version: String = "HTTP/1.1", limit: Int = 100) throws
        -> Result<HTTP1BodyFraming, HTTPRejection>
    {
        let text = "POST / \(version)\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n"
        return HTTPRequestValidation.framing(of: try HTTP1Samples.request(text), maxBodyBytes: limit)
    }

    func testValidRequestsPassWithTheirFraming() throws {
        XCTAssertEqual(try framing(["Host: v"]), .success(.none))
        XCTAssertEqual(try framing(["Host: v", "Content-Length: 100"]), .success(.length(100)))
        XCTAssertEqual(try framing(["Host: v", "Content-Length:  7 "]), .success(.length(7)))
        XCTAssertEqual(try framing(["Host: v", "Content-Length: 0"]), .success(.none))
        XCTAssertEqual(try framing(["Host: v", "Transfer-Encoding: Chunked"]), .success(.chunked))
        XCTAssertEqual(try framing([], version: "HTTP/1.0"), .success(.none), "HTTP/1.0 needs no Host")
    }

    func testSmugglingShapesAreRejectedWith400() throws {
        let cases: [[String]] = [
            ["Host: v", "Content-Length: 3", "Transfer-Encoding: chunked"],
            ["Host: v", "Transfer-Encoding: gzip, chunked"],
            ["Host: v", "Transfer-Encoding: chunked", "Transfer-Encoding: chunked"],
            ["Host: v", "Transfer-Encoding: identity"],
            ["Host: v", "Content-Length: 3", "Content-Length: 3"],
            ["Host: v", "Content-Length: 3, 4"],
            ["Host: v", "Content-Length: +3"],
            ["Host: v", "Content-Length: -1"],
            ["Host: v", "Content-Length: "],
            ["Host: v", "Content-Length: 99999999999999999999999"],
            ["Host: v", "Host: w"],
            ["Host: v", "Transfer-Encoding: chunked", "HTTP/1.0"],
            [],
        ]
        for fields in cases {
            let version = fields.last == "HTTP/1.0" ? "HTTP/1.0" : "HTTP/1.1"
            guard case .failure(let rejection) = try framing(fields.filter { $0 != "HTTP/1.0" }, version: version) else {
                XCTFail("\(fields) passed")
                continue
            }
            XCTAssertEqual(rejection.status, .badRequest, "\(fields)")
        }
        XCTAssertEqual(
            try framing(["Host: v", "Content-Length: 3", "Transfer-Encoding: chunked"]),
            .failure(HTTPRejection(status: .badRequest, reason: "both Content-Length and Transfer-Encoding")))
    }

    func testBodyLimit() throws {
        XCTAssertEqual(try framing(["Host: v", "Content-Length: 101"]), .failure(HTTPRequestValidation.bodyTooLarge(maxBodyBytes: 100)))
    }

    func testSyntaxErrorsMapToStatuses() {
        let statuses = [
            HTTP1SyntaxError(kind: .headTooLarge, reason: "x"), HTTP1SyntaxError(kind: .bodyTooLarge, reason: "x"),
            HTTP1SyntaxError(kind: .unsupportedVersion, reason: "x"), .malformed("bare LF"),
        ].map { HTTPRequestValidation.rejection(for: $0, maxBodyBytes: 10).status }
        XCTAssertEqual(statuses, [.requestHeaderFieldsTooLarge, .payloadTooLarge, .httpVersionNotSupported, .badRequest])
        XCTAssertEqual(
            HTTPRequestValidation.rejection(for: .malformed("bare LF"), maxBodyBytes: 10).reason, "malformed request (bare LF)")
    }

    func testIdempotentMethods() {
        XCTAssertEqual(
            [HTTPMethod.GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE, .POST, .PATCH, .CONNECT].map(HTTPRequestValidation.isIdempotent),
            [true, true, true, true, true, true, false, false, false])
    }
}
