import NIOHTTP1
import VipdConfig
import XCTest

@testable import VipdProxy

final class HTTPForwardedHeadersTests: XCTestCase {
    private let all = HTTPListenerSettings(forwardedFor: true, forwardedProto: true, forwarded: true, serverReuse: .never)

    func testRequestGetsEveryForwardedHeaderAndConnectionClose() {
        let headers = HTTPForwardedHeaders.request(
            HTTPHeaders([("Host", "vip"), ("Accept", "*/*")]), version: .http1_1, clientAddress: "192.0.2.1", settings: all)
        XCTAssertEqual(
            headers.map { "\($0.name): \($0.value)" },
            ["Host: vip", "Accept: */*", "X-Forwarded-For: 192.0.2.1", "X-Forwarded-Proto: http",
             "Forwarded: for=192.0.2.1;proto=http", "Connection: close"])
    }

    func testReusableServerConnectionsAskTheServerToKeepThem() {
        let reuse = HTTPListenerSettings(forwardedFor: false, serverReuse: .safe)
        let original = HTTPHeaders([("Host", "vip"), ("Connection", "close")])
        let http11 = HTTPForwardedHeaders.request(original, version: .http1_1, clientAddress: nil, settings: reuse)
        XCTAssertEqual(http11.map { "\($0.name): \($0.value)" }, ["Host: vip"], "HTTP/1.1 keeps connections unless told")
        let http10 = HTTPForwardedHeaders.request(original, version: .http1_0, clientAddress: nil, settings: reuse)
        XCTAssertEqual(
            http10.map { "\($0.name): \($0.value)" }, ["Host: vip", "Connection: keep-alive"],
            "the client's own Connection header is not the server connection's")
    }

    func testExistingListsAreAppendedToAcrossHeaderLines() {
        let original = HTTPHeaders([
            ("X-Forwarded-For", "203.0.113.1"), ("X-Forwarded-For", "203.0.113.2"), ("Forwarded", "for=203.0.113.1"),
            ("X-Forwarded-Proto", "https"),
        ])
        let headers = HTTPForwardedHeaders.request(original, version: .http1_1, clientAddress: "2001:db8::7", settings: all)
        XCTAssertEqual(headers["X-Forwarded-For"], ["203.0.113.1, 203.0.113.2, 2001:db8::7"])
        XCTAssertEqual(headers["Forwarded"], [#"for=203.0.113.1, for="[2001:db8::7]";proto=http"#])
        XCTAssertEqual(headers["X-Forwarded-Proto"], ["http"], "the proxy's own scheme replaces the client's claim")
    }

    func testDisabledHeadersAreLeftAsTheyCame() {
        let original = HTTPHeaders([("X-Forwarded-For", "203.0.113.1"), ("Host", "vip")])
        let none = HTTPListenerSettings(forwardedFor: false, forwardedProto: false, forwarded: false)
        let headers = HTTPForwardedHeaders.request(original, version: .http1_1, clientAddress: "192.0.2.1", settings: none)
        XCTAssertEqual(headers.map { "\($0.name): \($0.value)" }, ["X-Forwarded-For: 203.0.113.1", "Host: vip"])
    }

    func testHopByHopHeadersAndThoseNamedInConnectionAreDropped() {
        let original = HTTPHeaders([
            ("Host", "vip"), ("Connection", "keep-alive, X-Secret"), ("Keep-Alive", "timeout=5"), ("X-Secret", "1"),
            ("TE", "trailers"), ("Upgrade", "websocket"), ("Proxy-Connection", "keep-alive"), ("Trailer", "X"),
            ("Transfer-Encoding", "chunked"), ("Content-Length", "0"),
        ])
        XCTAssertEqual(
            HTTPForwardedHeaders.withoutHopByHop(original).map(\.name), ["Host", "Transfer-Encoding", "Content-Length"],
            "body framing stays for the encoder")
    }

    func testResponseConnectionHeaderFollowsWhatVipdDoesWithTheClient() {
        let server = HTTPHeaders([("Content-Length", "2"), ("Connection", "close")])
        XCTAssertEqual(
            HTTPForwardedHeaders.response(server, clientVersion: .http1_1, keepAlive: true).map(\.name), ["Content-Length"])
        XCTAssertEqual(
            HTTPForwardedHeaders.response(server, clientVersion: .http1_1, keepAlive: false)["Connection"], ["close"])
        XCTAssertEqual(
            HTTPForwardedHeaders.response(server, clientVersion: .http1_0, keepAlive: true)["Connection"], ["keep-alive"])
    }

    func testForwardedNodeQuotesIPv6() {
        XCTAssertEqual(HTTPForwardedHeaders.forwardedNode("192.0.2.1"), "192.0.2.1")
        XCTAssertEqual(HTTPForwardedHeaders.forwardedNode("::1"), "\"[::1]\"")
    }
}
