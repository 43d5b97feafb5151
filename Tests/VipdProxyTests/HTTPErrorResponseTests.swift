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

    func testAnExplanationFollowsTheStatusOnItsOwnLine() {
        let response = HTTPErrorResponse.plain(.badRequest, explanation: "This listener speaks plain HTTP, not HTTPS (TLS).")
        XCTAssertEqual(
            String(decoding: response.body, as: UTF8.self), "400 Bad Request\nThis listener speaks plain HTTP, not HTTPS (TLS).\n")
        XCTAssertEqual(response.contentType, "text/plain; charset=utf-8")
    }

    func testAWholeResponseKeepsItsFieldsAndItsOwnCacheControl() throws {
        let file = "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n"
            + "Retry-After: 30\r\n\r\n<h1>503</h1>"
        let page = SorryPage(response: "/etc/haproxy/errors/503.http", parsed: try HTTPResponseFile.parse(Array(file.utf8)).get())
        var bytes = ByteBuffer()
        HTTPErrorResponse.sorry(page).write(to: &bytes)
        XCTAssertEqual(
            String(buffer: bytes),
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nContent-Length: 12\r\nConnection: close\r\n"
                + "Cache-Control: no-cache\r\nRetry-After: 30\r\n\r\n<h1>503</h1>")
    }
}
