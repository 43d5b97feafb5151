import NIOCore
import NIOHTTP1
import XCTest

@testable import VipdProxy

final class HTTPAccessLogTests: XCTestCase {
    func testLineSaysWhoWhatAnswerServerTimingsAndBytes() {
        let log = HTTPAccessLog(
            client: "192.0.2.1:40000", listener: "web", pool: "web", server: "web0",
            request: .init(method: "GET", uri: "/a?b=1", version: "HTTP/1.1"), status: 200, connect: .milliseconds(2), response: .milliseconds(7),
            total: .milliseconds(9), bytesIn: 0, bytesOut: 612, retries: 0, error: nil)
        XCTAssertEqual(
            log.line,
            #"192.0.2.1:40000 web web/web0 "GET /a?b=1 HTTP/1.1" status=200 connect=2ms response=7ms total=9ms bytes_in=0 bytes_out=612 retries=0"#)
    }

    func testFailureWithoutServerOrStatus() {
        let log = HTTPAccessLog(
            client: "192.0.2.1:40000", listener: "web", pool: "web", server: nil,
            request: .init(method: "POST", uri: "/", version: "HTTP/1.0"), status: nil, connect: nil, response: nil, total: .milliseconds(1), bytesIn: 3,
            bytesOut: 0, retries: 2, error: "client-closed")
        XCTAssertEqual(
            log.line,
            #"192.0.2.1:40000 web web/<none> "POST / HTTP/1.0" status=- connect=- response=- total=1ms bytes_in=3 bytes_out=0 retries=2 error=client-closed"#)
    }

    func testARequestWhoseHeadWasNeverReadIsABadRequest() {
        let log = HTTPAccessLog(
            client: "192.0.2.1:40000", listener: "web", pool: "web", server: nil, request: nil, status: 400, connect: nil,
            response: nil, total: .zero, bytesIn: 0, bytesOut: 16, retries: 0, error: "rejected")
        XCTAssertEqual(
            log.line,
            #"192.0.2.1:40000 web web/<none> "<BADREQ>" status=400 connect=- response=- total=0ms bytes_in=0 bytes_out=16 retries=0 error=rejected"#)
        let exchange = HTTPExchange(request: nil, forwarded: ByteBuffer(), framing: .none, startedAt: nil)
        XCTAssertNil(exchange.accessLog(client: "c", listener: "l", pool: "p", now: .now()).request)
    }

    func testURIIsEscapedAndCut() {
        XCTAssertEqual(HTTPAccessLog.escaped("/a b\"c\\\n\u{1}é"), "/a%20b%22c%5C%0A%01%C3%A9")
        let long = String(repeating: "x", count: HTTPAccessLog.maxURILength + 1)
        XCTAssertEqual(HTTPAccessLog.escaped(long), String(repeating: "x", count: HTTPAccessLog.maxURILength) + "...")
    }

    func testExchangeTimingsAreMeasuredFromTheRequestHead() throws {
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let exchange = HTTPExchange(
            request: try HTTP1Samples.request("GET / HTTP/1.1\r\nHost: v\r\n\r\n"), forwarded: ByteBuffer(), framing: .none,
            startedAt: start)
        exchange.connectedAt = start + .milliseconds(3)
        exchange.responseBegan(at: start + .milliseconds(10), status: 200)
        let log = exchange.accessLog(client: "c", listener: "l", pool: "p", now: start + .milliseconds(12))
        XCTAssertEqual(log.connect, .milliseconds(3))
        XCTAssertEqual(log.response, .milliseconds(10))
        XCTAssertEqual(log.total, .milliseconds(12))
        XCTAssertEqual(log.status, 200)
        XCTAssertEqual(log.line, "c l p/<none> \"GET / HTTP/1.1\" status=200 connect=3ms response=10ms total=12ms bytes_in=0 bytes_out=0 retries=0")
    }
}
