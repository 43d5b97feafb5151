import NIOHTTP1
import VipdConfig
import XCTest

@testable import VipdProxy

final class HTTPErrorResponseTests: XCTestCase {
    func testErrorResponsesAreSmallAndComplete() {
        let plain = HTTPErrorResponse.plain(.badGateway)
        XCTAssertEqual(String(decoding: plain.body, as: UTF8.self), "502 Bad Gateway\n")
        XCTAssertEqual(
            plain.head(version: .http1_1).headers.map { "\($0.name): \($0.value)" },
            ["Content-Type: text/plain; charset=utf-8", "Content-Length: 16", "Cache-Control: no-store", "Connection: close"])
        XCTAssertEqual(HTTPErrorResponse.sorry(nil), .plain(.serviceUnavailable))
        let page = SorryPage(file: "/x", body: [1, 2], status: 200, contentType: "text/x")
        XCTAssertEqual(HTTPErrorResponse.sorry(page), HTTPErrorResponse(status: .ok, contentType: "text/x", body: [1, 2]))
    }
}
