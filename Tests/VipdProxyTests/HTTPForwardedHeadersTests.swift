import NIOCore
import VipdConfig
import XCTest

@testable import VipdProxy

/// The heads as they leave vipd: copied byte for byte but for the forwarded and hop-by-hop headers.
final class HTTPForwardedHeadersTests: XCTestCase {
    private let all = HTTPListenerSettings(forwardedFor: true, forwardedProto: true, forwarded: true, serverReuse: .never)

    private func forwarded(_ request: String, clientAddress: String? = "192.0.2.1", settings: HTTPListenerSettings) throws -> String {
        var buffer = ByteBuffer()
        HTTPForwardedHeaders.writeRequest(
            try HTTP1Samples.request(request), clientAddress: clientAddress, settings: settings, into: &buffer)
        return String(buffer: buffer)
    }

    private func response(
        _ text: String, clientMinorVersion: Int = 1, keepAlive: Bool, decodingChunks: Bool = false, switching: Bool = false
    ) throws -> String {
        var buffer = ByteBuffer()
        HTTPForwardedHeaders.writeResponse(
            try HTTP1Samples.response(text), clientMinorVersion: clientMinorVersion, keepAlive: keepAlive,
            decodingChunks: decodingChunks, switching: switching, into: &buffer)
        return String(buffer: buffer)
    }

    func testRequestGetsEveryForwardedHeaderAndConnectionClose() throws {
        XCTAssertEqual(
            try forwarded("GET /a?b HTTP/1.1\r\nHost: vip\r\nAccept:*/*\r\n\r\n", settings: all),
            "GET /a?b HTTP/1.1\r\nHost: vip\r\nAccept:*/*\r\nX-Forwarded-For: 192.0.2.1\r\nX-Forwarded-Proto: http\r\n"
                + "Forwarded: for=192.0.2.1;proto=http\r\nConnection: close\r\n\r\n")
    }

    func testReusableServerConnectionsAskTheServerToKeepThem() throws {
        let reuse = HTTPListenerSettings(forwardedFor: false, serverReuse: .safe)
        XCTAssertEqual(
            try forwarded("GET / HTTP/1.1\r\nHost: vip\r\nConnection: close\r\n\r\n", settings: reuse),
            "GET / HTTP/1.1\r\nHost: vip\r\n\r\n", "HTTP/1.1 keeps connections unless told")
        XCTAssertEqual(
            try forwarded("GET / HTTP/1.0\r\nHost: vip\r\nConnection: close\r\n\r\n", settings: reuse),
            "GET / HTTP/1.0\r\nHost: vip\r\nConnection: keep-alive\r\n\r\n",
            "the client's own Connection header is not the server connection's")
    }

    func testExistingListsAreAppendedToAcrossHeaderLines() throws {
        let request =
            "GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.1\r\nHost: v\r\nx-forwarded-for: 203.0.113.2\r\n"
            + "Forwarded: for=203.0.113.1\r\nX-Forwarded-Proto: https\r\n\r\n"
        XCTAssertEqual(
            try forwarded(request, clientAddress: "2001:db8::7", settings: all),
            "GET / HTTP/1.1\r\nHost: v\r\nX-Forwarded-For: 203.0.113.1, 203.0.113.2, 2001:db8::7\r\n"
                + "X-Forwarded-Proto: http\r\nForwarded: for=203.0.113.1, for=\"[2001:db8::7]\";proto=http\r\nConnection: close\r\n\r\n",
            "the proxy's own scheme replaces the client's claim")
    }

    func testDisabledHeadersAreLeftAsTheyCame() throws {
        let none = HTTPListenerSettings(forwardedFor: false, forwardedProto: false, forwarded: false)
        let request = "GET / HTTP/1.1\r\nX-Forwarded-For: 203.0.113.1\r\nHost: vip\r\n\r\n"
        XCTAssertEqual(try forwarded(request, settings: none), request)
    }

    func testHopByHopHeadersAndThoseNamedInConnectionAreDropped() throws {
        let none = HTTPListenerSettings(forwardedFor: false, forwardedProto: false, forwarded: false)
        let request =
            "POST / HTTP/1.1\r\nHost: vip\r\nConnection: keep-alive, X-Secret\r\nKeep-Alive: timeout=5\r\nx-secret: 1\r\n"
            + "TE: trailers\r\nUpgrade: websocket\r\nProxy-Connection: keep-alive\r\nTrailer: X\r\n"
            + "Transfer-Encoding: chunked\r\nX-Secretive: 2\r\n\r\n"
        XCTAssertEqual(
            try forwarded(request, settings: none),
            "POST / HTTP/1.1\r\nHost: vip\r\nTransfer-Encoding: chunked\r\nX-Secretive: 2\r\n\r\n",
            "body framing stays: the body is forwarded as it came")
    }

    func testResponseConnectionHeaderFollowsWhatVipdDoesWithTheClient() throws {
        let server = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
        XCTAssertEqual(try response(server, keepAlive: true), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n")
        XCTAssertEqual(try response(server, keepAlive: false), "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(
            try response(server, clientMinorVersion: 0, keepAlive: true),
            "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(
            try response("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX: 1\r\n\r\n", clientMinorVersion: 0, keepAlive: false,
                decodingChunks: true),
            "HTTP/1.0 200 OK\r\nX: 1\r\nConnection: close\r\n\r\n", "decoded chunks lose their Transfer-Encoding")
        XCTAssertEqual(try response("HTTP/1.0 404\r\n\r\n", keepAlive: true), "HTTP/1.1 404\r\n\r\n", "a status line without reason")
    }

    func testAnUpgradeRequestKeepsItsUpgradeAndAsksTheServerToSwitch() throws {
        let none = HTTPListenerSettings(forwardedFor: false, forwardedProto: false, forwarded: false, serverReuse: .never)
        let websocket =
            "GET /chat HTTP/1.1\r\nHost: vip\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
            + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
        XCTAssertTrue(try HTTP1Samples.request(websocket).asksUpgrade)
        XCTAssertEqual(
            try forwarded(websocket, settings: none),
            "GET /chat HTTP/1.1\r\nHost: vip\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                + "Sec-WebSocket-Version: 13\r\nConnection: upgrade\r\n\r\n",
            "the upgrade wins over server_reuse: never")
        for notAsking in [
            "GET / HTTP/1.1\r\nHost: vip\r\nUpgrade: websocket\r\n\r\n",  // Connection does not name it
            "GET / HTTP/1.1\r\nHost: vip\r\nConnection: upgrade\r\n\r\n",  // no Upgrade field
            "GET / HTTP/1.0\r\nHost: vip\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n",  // HTTP/1.0 cannot
        ] {
            XCTAssertFalse(try HTTP1Samples.request(notAsking).asksUpgrade, notAsking)
            XCTAssertFalse(try forwarded(notAsking, settings: none).contains("pgrade"), notAsking)
        }
    }

    func testASwitchingResponseKeepsItsUpgradeForTheClient() throws {
        let switching = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"
        XCTAssertEqual(
            try response(switching, keepAlive: false, switching: true),
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                + "Connection: upgrade\r\n\r\n")
    }

    func testForwardedNodeQuotesIPv6() {
        XCTAssertEqual(HTTPForwardedHeaders.forwardedNode("192.0.2.1"), "192.0.2.1")
        XCTAssertEqual(HTTPForwardedHeaders.forwardedNode("::1"), "\"[::1]\"")
    }
}
