import Foundation
import NIOCore
import VipdConfig
import XCTest

@testable import VipdProxy

/// Response heads from raw bytes: the status line, the body framing and keep-alive rules, and the
/// heads vipd writes on both sides.
final class HTTP1ResponseHeadTests: XCTestCase {
    private func head(_ text: String) throws(HTTP1SyntaxError) -> HTTP1Head {
        var buffer = ByteBuffer(string: text)
        var parser = HTTP1HeadParser(maxBytes: 65536, maxFields: 100)
        guard let head = try parser.take(from: &buffer) else { throw .malformed("incomplete test head") }
        return head
    }

    private func response(_ text: String, toHead: Bool = false) throws(HTTP1SyntaxError) -> HTTP1ResponseHead {
        try HTTP1ResponseHead(head(text), requestMethodIsHead: toHead)
    }

    /// A response with `fields` (each ends in CRLF here) after `statusLine`.
    private func response(_ statusLine: String, _ fields: [String], toHead: Bool = false) throws(HTTP1SyntaxError)
        -> HTTP1ResponseHead
    {
        try response(statusLine + "\r\n" + fields.map { $0 + "\r\n" }.joined() + "\r\n", toHead: toHead)
    }

    private func failure(_ statusLine: String, _ fields: [String] = []) -> HTTP1SyntaxError.Kind? {
        do {
            _ = try response(statusLine, fields)
            return nil
        } catch {
            return error.kind
        }
    }

    func testStatusLineWithAndWithoutReason() throws {
        let ok = try response("HTTP/1.1 200 OK", ["Content-Length: 2"])
        XCTAssertEqual(ok.status, 200)
        XCTAssertEqual(ok.minorVersion, 1)
        XCTAssertEqual(ok.head.text(ok.statusRange), " 200 OK")
        let bare = try response("HTTP/1.0 404", [])
        XCTAssertEqual(bare.status, 404)
        XCTAssertEqual(bare.minorVersion, 0)
        XCTAssertEqual(bare.head.text(bare.statusRange), " 404")
        let empty = try response("HTTP/1.1 503 ", [])
        XCTAssertEqual(empty.head.text(empty.statusRange), " 503 ")
        let long = try response("HTTP/1.1 599 Some \tlong reason caf\u{E9}", [])
        XCTAssertEqual(long.status, 599)
        XCTAssertEqual(long.head.text(long.statusRange), " 599 Some \tlong reason caf\u{E9}")
    }

    func testMalformedStatusLines() {
        for line in [
            "HTTP/1.1 20", "HTTP/1.1 2000", "HTTP/1.1 200OK", "HTTP/1.1  200 OK", "HTTP/1.1 099 Low", "HTTP/1.1 -20 X",
            "HTTP/1.1 2x0 X", "http/1.1 200 OK", "HTTP/1.1200 OK", "HTTP/1.1 200 O\u{01}K", "HTTP/1.1 200 \u{7F}", "ICY 200 OK",
            "HTTP/1.1", "HTTP/2.0 200 OK", "HTTP/1.2 200 OK", "HTTP/0.9 200 OK", "HTTP/1.1\t200 OK",
        ] {
            XCTAssertEqual(failure(line), .malformed, line.debugDescription)
        }
    }

    func testFraming() throws {
        let cases: [(String, [String], Bool, HTTP1BodyFraming)] = [
            ("HTTP/1.1 200 OK", ["Content-Length: 10"], true, .none),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], true, .none),
            ("HTTP/1.1 100 Continue", [], false, .none),
            ("HTTP/1.1 101 Switching Protocols", ["Upgrade: websocket"], false, .none),
            ("HTTP/1.1 199 X", ["Content-Length: 4"], false, .none),
            ("HTTP/1.1 204 No Content", ["Content-Length: 10"], false, .none),
            ("HTTP/1.1 304 Not Modified", ["Transfer-Encoding: chunked"], false, .none),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], false, .chunked),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: gzip, Chunked"], false, .chunked),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: gzip", "transfer-encoding: chunked"], false, .chunked),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: gzip"], false, .untilClose),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked, gzip"], false, .untilClose),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked", "Content-Length: 5"], false, .chunked),
            ("HTTP/1.1 200 OK", ["Content-Length: 0"], false, .none),
            ("HTTP/1.1 200 OK", ["Content-Length: 5"], false, .length(5)),
            ("HTTP/1.1 200 OK", ["Content-Length: 5, 5"], false, .length(5)),
            ("HTTP/1.1 200 OK", ["Content-Length: 5", "content-length:5"], false, .length(5)),
            ("HTTP/1.1 200 OK", [], false, .untilClose),
            ("HTTP/1.0 200 OK", [], false, .untilClose),
        ]
        for (line, fields, toHead, framing) in cases {
            XCTAssertEqual(try response(line, fields, toHead: toHead).framing, framing, "\(line) \(fields) head: \(toHead)")
        }
    }

    func testInvalidContentLengthIsMalformed() {
        for value in ["5, 6", "5,", ",5", "", "+5", "-1", "5 5", "0x5", "99999999999999999999"] {
            XCTAssertEqual(failure("HTTP/1.1 200 OK", ["Content-Length: \(value)"]), .malformed, value.debugDescription)
        }
        XCTAssertEqual(failure("HTTP/1.1 200 OK", ["Content-Length: 5", "Content-Length: 6"]), .malformed)
        XCTAssertNil(failure("HTTP/1.1 204 No Content", ["Content-Length: x"]), "no body: the length is not read")
    }

    func testKeepAlive() throws {
        let cases: [(String, [String], Bool)] = [
            ("HTTP/1.1 200 OK", ["Content-Length: 1"], true),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked"], true),
            ("HTTP/1.1 204 No Content", [], true),
            ("HTTP/1.1 200 OK", ["Content-Length: 1", "Connection: close"], false),
            ("HTTP/1.1 200 OK", ["Content-Length: 1", "Connection: x, Close"], false),
            ("HTTP/1.0 200 OK", ["Content-Length: 1"], false),
            ("HTTP/1.0 200 OK", ["Content-Length: 1", "Connection: keep-alive"], true),
            ("HTTP/1.0 200 OK", ["Connection: keep-alive"], false),
            ("HTTP/1.1 200 OK", [], false),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: gzip"], false),
            ("HTTP/1.1 200 OK", ["Transfer-Encoding: chunked", "Content-Length: 5"], false),
            ("HTTP/1.1 101 Switching Protocols", ["Connection: upgrade", "Upgrade: websocket"], false),
            ("HTTP/1.1 100 Continue", [], true),
        ]
        for (line, fields, keepAlive) in cases {
            XCTAssertEqual(try response(line, fields).isKeepAlive, keepAlive, "\(line) \(fields)")
        }
    }

    func testInterimResponses() throws {
        let interim = try [100, 102, 103, 199, 101, 200, 204, 304, 500].map { status in
            try response("HTTP/1.1 \(status) X", []).isInterim
        }
        XCTAssertEqual(interim, [true, true, true, true, false, false, false, false, false])
    }

    // MARK: - The heads vipd writes

    private func writtenRequest(
        _ request: String, clientAddress: String? = "192.0.2.1", settings: HTTPListenerSettings
    ) throws -> String {
        var buffer = ByteBuffer()
        HTTPForwardedHeaders.writeRequest(try HTTP1RequestHead(head(request)), clientAddress: clientAddress, settings: settings, into: &buffer)
        return String(buffer: buffer)
    }

    private func writtenResponse(_ text: String, clientMinorVersion: Int = 1, keepAlive: Bool = true, decodingChunks: Bool = false)
        throws -> String
    {
        var buffer = ByteBuffer()
        HTTPForwardedHeaders.writeResponse(
            try response(text), clientMinorVersion: clientMinorVersion, keepAlive: keepAlive, decodingChunks: decodingChunks,
            into: &buffer)
        return String(buffer: buffer)
    }

    func testRequestForwardedHeadersAppendedAndReplaced() throws {
        let all = HTTPListenerSettings(forwardedFor: true, forwardedProto: true, forwarded: true, serverReuse: .never)
        let request =
            "POST /x HTTP/1.1\r\nx-forwarded-for: 10.0.0.1\r\nHost: vip\r\nX-Forwarded-For:10.0.0.2 \r\n"
            + "X-Forwarded-Proto: https\r\nFORWARDED: for=10.0.0.1\r\nContent-Length: 3\r\n\r\n"
        XCTAssertEqual(
            try writtenRequest(request, clientAddress: "2001:db8::1", settings: all),
            "POST /x HTTP/1.1\r\nHost: vip\r\nContent-Length: 3\r\nX-Forwarded-For: 10.0.0.1, 10.0.0.2, 2001:db8::1\r\n"
                + "X-Forwarded-Proto: http\r\nForwarded: for=10.0.0.1, for=\"[2001:db8::1]\";proto=http\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(
            try writtenRequest("GET / HTTP/1.1\r\nHost: v\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n", clientAddress: nil, settings: all),
            "GET / HTTP/1.1\r\nHost: v\r\nX-Forwarded-For: 10.0.0.1\r\nX-Forwarded-Proto: http\r\nForwarded: proto=http\r\n"
                + "Connection: close\r\n\r\n", "no client address: X-Forwarded-For left alone")
    }

    func testRequestHopByHopDroppedAndServerConnectionHeader() throws {
        let safe = HTTPListenerSettings(forwardedFor: false, serverReuse: .safe)
        let request =
            "GET / HTTP/1.0\r\nHost: v\r\nConnection: keep-alive, X-Hop\r\nKeep-Alive: 5\r\nX-Hop: 1\r\nTE: trailers\r\n"
            + "Upgrade: h2c\r\nProxy-Connection: x\r\nTrailer: y\r\nAccept:  */* \r\n\r\n"
        XCTAssertEqual(try writtenRequest(request, settings: safe), "GET / HTTP/1.0\r\nHost: v\r\nAccept:  */* \r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(
            try writtenRequest(request.replacingOccurrences(of: "HTTP/1.0", with: "HTTP/1.1"), settings: safe),
            "GET / HTTP/1.1\r\nHost: v\r\nAccept:  */* \r\n\r\n")
        XCTAssertEqual(
            try writtenRequest("GET / HTTP/1.0\r\n\r\n", settings: HTTPListenerSettings(serverReuse: .never)),
            "GET / HTTP/1.0\r\nX-Forwarded-For: 192.0.2.1\r\nConnection: close\r\n\r\n")
    }

    func testResponseStatusLineInTheClientsVersion() throws {
        let text = "HTTP/1.1 200 Fine\r\nContent-Length: 2\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\nServer: s\r\n\r\n"
        XCTAssertEqual(try writtenResponse(text), "HTTP/1.1 200 Fine\r\nContent-Length: 2\r\nServer: s\r\n\r\n")
        XCTAssertEqual(
            try writtenResponse(text, clientMinorVersion: 0), "HTTP/1.0 200 Fine\r\nContent-Length: 2\r\nServer: s\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(
            try writtenResponse(text, clientMinorVersion: 0, keepAlive: false),
            "HTTP/1.0 200 Fine\r\nContent-Length: 2\r\nServer: s\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(
            try writtenResponse("HTTP/1.0 204\r\nKeep-Alive: 1\r\n\r\n", keepAlive: false), "HTTP/1.1 204\r\nConnection: close\r\n\r\n")
    }

    func testResponseTransferEncodingDroppedWhenChunksAreDecoded() throws {
        let text = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\nDate: d\r\n\r\n"
        XCTAssertEqual(
            try writtenResponse(text, clientMinorVersion: 0, keepAlive: false, decodingChunks: true),
            "HTTP/1.0 200 OK\r\nDate: d\r\nConnection: close\r\n\r\n")
        XCTAssertEqual(try writtenResponse(text), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nDate: d\r\n\r\n")
    }
}
