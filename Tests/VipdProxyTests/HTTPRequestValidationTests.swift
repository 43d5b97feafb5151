import NIOHTTP1
import XCTest

@testable import VipdProxy

final class HTTPRequestValidationTests: XCTestCase {
    private func check(_ headers: [(String, String)], version: HTTPVersion = .http1_1, limit: Int = 100) -> HTTPRejection? {
        HTTPRequestValidation.check(
            HTTPRequestHead(version: version, method: .POST, uri: "/", headers: HTTPHeaders(headers)), maxBodyBytes: limit)
    }

    func testValidRequestsPass() {
        XCTAssertNil(check([("Host", "v")]))
        XCTAssertNil(check([("Host", "v"), ("Content-Length", "100")]))
        XCTAssertNil(check([("Host", "v"), ("Content-Length", " 7 ")]))
        XCTAssertNil(check([("Host", "v"), ("Transfer-Encoding", "Chunked")]))
        XCTAssertNil(check([], version: .http1_0), "HTTP/1.0 needs no Host")
    }

    func testSmugglingShapesAreRejectedWith400() {
        let cases: [[(String, String)]] = [
            [("Host", "v"), ("Content-Length", "3"), ("Transfer-Encoding", "chunked")],
            [("Host", "v"), ("Transfer-Encoding", "gzip, chunked")],
            [("Host", "v"), ("Transfer-Encoding", "chunked"), ("Transfer-Encoding", "chunked")],
            [("Host", "v"), ("Transfer-Encoding", "identity")],
            [("Host", "v"), ("Content-Length", "3"), ("Content-Length", "3")],
            [("Host", "v"), ("Content-Length", "3, 4")],
            [("Host", "v"), ("Content-Length", "+3")],
            [("Host", "v"), ("Content-Length", "-1")],
            [("Host", "v"), ("Content-Length", "")],
            [("Host", "v"), ("Host", "w")],
            [],
        ]
        for headers in cases {
            XCTAssertEqual(check(headers)?.status, .badRequest, "\(headers)")
        }
        XCTAssertEqual(
            check([("Host", "v"), ("Content-Length", "3"), ("Transfer-Encoding", "chunked")])?.reason,
            "both Content-Length and Transfer-Encoding")
    }

    func testBodyLimitAndVersion() {
        XCTAssertEqual(check([("Host", "v"), ("Content-Length", "101")])?.status, .payloadTooLarge)
        XCTAssertEqual(check([("Host", "v")], version: HTTPVersion(major: 2, minor: 0))?.status, .httpVersionNotSupported)
        XCTAssertEqual(check([("Host", "v")], version: HTTPVersion(major: 1, minor: 2))?.status, .httpVersionNotSupported)
    }

    func testParserErrorsMapToStatuses() {
        XCTAssertEqual(HTTPRequestValidation.rejection(for: .headerOverflow).status, .requestHeaderFieldsTooLarge)
        XCTAssertEqual(HTTPRequestValidation.rejection(for: .unexpectedContentLength).status, .badRequest)
        XCTAssertEqual(HTTPRequestValidation.rejection(for: .invalidChunkSize).reason, "invalid chunked encoding")
        XCTAssertEqual(HTTPRequestValidation.rejection(for: .invalidMethod).status, .badRequest)
    }

    func testIdempotentMethods() {
        XCTAssertEqual(
            [HTTPMethod.GET, .HEAD, .PUT, .DELETE, .OPTIONS, .TRACE, .POST, .PATCH, .CONNECT].map(HTTPRequestValidation.isIdempotent),
            [true, true, true, true, true, true, false, false, false])
    }
}
