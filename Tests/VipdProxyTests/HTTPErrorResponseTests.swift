import NIOCore
import NIOHTTP1
import VipdConfig
import XCTest

@testable import VipdProxy

final class HTTPErrorResponseTests: XCTestCase {
    func testErrorResponsesAreSmallAndComplete() {
        let plain = HTTPErrorResponse.plain(.badGateway)
        XCTAssertEqual(String(decoding: plain.body, as: UTF8.self), "502 Bad Gateway\n")
        var bytes = ByteBuffer()
        plain.write(to: &bytes)
        XCTAssertEqual(
            String(buffer: bytes),
            "HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 16\r\n"
                + "Cache-Control: no-store\r\nConnection: close\r\n\r\n502 Bad Gateway\n")
        XCTAssertEqual(HTTPErrorResponse.sorry(nil), .plain(.serviceUnavailable))
        let page = SorryPage(file: "/x", body: [1, 2], status: 200, contentType: "text/x")
        XCTAssertEqual(HTTPErrorResponse.sorry(page), HTTPErrorResponse(status: .ok, contentType: "text/x", body: [1, 2]))
    }
}
