import Foundation
import VipdConfig
import XCTest

/// `mode: http` listeners and their `http` block: defaults, every key, and each error with its position.
final class HTTPListenerConfigTests: XCTestCase {
    private var sorryFile = ""

    override func setUpWithError() throws {
        sorryFile = NSTemporaryDirectory() + "vipd-sorry-\(UUID().uuidString).html"
        try "<p>sorry</p>\n".write(toFile: sorryFile, atomically: true, encoding: .utf8)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: sorryFile)
    }

    /// One listener `web` with `settings` as its remaining flow-mapping keys, and a pool.
    private func config(_ settings: String) -> String {
        """
        listeners:
          web: { bind: 127.0.0.1:8080, pool: web, \(settings) }
        pools:
          web:
            servers: [{ address: 127.0.0.1:80 }]
        """
    }

    func testModeHTTPWithDefaults() throws {
        let listener = try XCTUnwrap(parseValid(config("mode: http"))?.listeners.first)
        XCTAssertEqual(listener.mode, .http)
        XCTAssertEqual(listener.http, HTTPListenerSettings())
        XCTAssertEqual(listener.http.forwardedFor, true)
        XCTAssertEqual(listener.http.forwardedProto, false)
        XCTAssertEqual(listener.http.forwarded, false)
        XCTAssertNil(listener.http.sorryPage)
        XCTAssertEqual(listener.http.maxHeaderBytes, 16384)
        XCTAssertEqual(listener.http.maxHeaders, 100)
        XCTAssertEqual(listener.http.maxBodyBytes, 10_485_760)
        XCTAssertEqual(listener.http.requestTimeout, .seconds(10))
        XCTAssertEqual(listener.http.serverTimeout, .seconds(30))
        XCTAssertEqual(listener.http.serverReuse, .safe)
        XCTAssertEqual(listener.http.serverIdleTimeout, .seconds(4))
    }

    func testEveryHTTPKey() throws {
        let yaml = config(
            """
            mode: http, http: { forwarded_for: false, forwarded_proto: true, forwarded: true, \
            sorry_page: { file: \(sorryFile), status: 200, content_type: text/plain }, max_header_bytes: 2048, \
            max_headers: 10, max_body_bytes: 0, request_timeout: 3s, server_timeout: 500ms, server_reuse: never, \
            server_idle_timeout: 1m }
            """)
        let listener = try XCTUnwrap(parseValid(yaml)?.listeners.first)
        XCTAssertEqual(
            listener.http,
            HTTPListenerSettings(
                forwardedFor: false, forwardedProto: true, forwarded: true,
                sorryPage: SorryPage(file: sorryFile, body: Array("<p>sorry</p>\n".utf8), status: 200, contentType: "text/plain"),
                maxHeaderBytes: 2048, maxHeaders: 10, maxBodyBytes: 0, requestTimeout: .seconds(3),
                serverTimeout: .milliseconds(500), serverReuse: .never, serverIdleTimeout: .seconds(60)))
    }

    func testSorryPageDefaults() throws {
        let listener = try XCTUnwrap(parseValid(config("mode: http, http: { sorry_page: { file: \(sorryFile) } }"))?.listeners.first)
        XCTAssertEqual(listener.http.sorryPage?.status, 503)
        XCTAssertEqual(listener.http.sorryPage?.contentType, "text/html; charset=utf-8")
    }

    func testHTTPBlockOnlyWithModeHTTP() {
        assertSingleError(
            config("http: { forwarded: true }"), line: 2, column: 49, keyPath: "listeners.web.http",
            message: #""http" only applies to mode: http, not tcp"#)
    }

    func testMissingSorryFileIsReportedAtCheckTime() {
        let missing = "/nonexistent/vipd-sorry.html"
        let yaml = config("mode: http, http: { sorry_page: { file: \(missing) } }")
        assertSingleError(
            yaml, line: 2, column: 83, keyPath: "listeners.web.http.sorry_page.file",
            message: "cannot read the sorry page \(missing): No such file or directory")
    }

    func testSorryPageErrors() {
        let yaml = config(
            "mode: http, http: { sorry_page: { file: sorry.html, status: 99, content_type: \"a\\nb\", colour: red } }")
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:2:83: listeners.web.http.sorry_page.file: "sorry.html" must be an absolute path, like /etc/vipd/sorry.html"#,
                #"vipd.yaml:2:103: listeners.web.http.sorry_page.status: 99 is out of range: must be between 200 and 599"#,
                #"vipd.yaml:2:121: listeners.web.http.sorry_page.content_type: invalid content type "a"#
                    + "\n" + #"b": use printable ASCII, like text/html; charset=utf-8"#,
                #"vipd.yaml:2:129: listeners.web.http.sorry_page.colour: unknown key "colour" (allowed keys: file, status, content_type, headers, response)"#,
            ])
    }

    /// `headers` adds fields to a page, in the order given; the framing fields, Content-Type, a name
    /// given twice, a bad name or value are each named with file:line:column.
    func testSorryPageHeaders() throws {
        let listener = try XCTUnwrap(parseValid(config(
            "mode: http, http: { sorry_page: { file: \(sorryFile), headers: { Retry-After: 30, Cache-Control: \"max-age=5\" } } }"))?.listeners.first)
        let page = try XCTUnwrap(listener.http.sorryPage)
        XCTAssertEqual(page.fields, [.init(name: "Retry-After", value: "30"), .init(name: "Cache-Control", value: "max-age=5")])
        XCTAssertFalse(page.isWholeResponse)
        XCTAssertEqual(try XCTUnwrap(parseValid(config("mode: http, http: { sorry_page: { file: \(sorryFile), headers: {} } }"))?.listeners.first).http.sorryPage?.fields, [])

        let prefix = "mode: http, http: { sorry_page: { file: \(sorryFile), headers: { "
        let headersColumn = "  web: { bind: 127.0.0.1:8080, pool: web, ".count + prefix.count + 1
        func errors(_ headers: String) -> [String] {
            configErrors(config(prefix + headers + " } } }")).map(\.description)
        }
        /// The position of what lies `offset` characters into the headers, and the key path of `headers`.
        let at = { (offset: Int) in "vipd.yaml:2:\(headersColumn + offset): listeners.web.http.sorry_page.headers" }
        XCTAssertEqual(errors("Content-Length: 5"), ["\(at(0)).Content-Length: Content-Length is written by vipd itself (it frames the response and closes the connection)"])
        XCTAssertEqual(errors("connection: keep-alive"), ["\(at(0)).connection: connection is written by vipd itself (it frames the response and closes the connection)"])
        XCTAssertEqual(errors("Content-Type: text/plain"), ["\(at(0)).Content-Type: set the content type with content_type, not in headers"])
        XCTAssertEqual(errors("\"Retry After\": 30"), [#"\#(at(0)).Retry After: invalid header field name "Retry After": use letters, digits and !#$%&'*+-.^_`|~"#])
        XCTAssertEqual(errors("Retry-After: 30, retry-after: 60"), [#"\#(at(17)).retry-after: header field "retry-after" is given twice (also as "Retry-After")"#])
        XCTAssertEqual(errors("X-Note: \"caf\u{e9}\""), ["\(at(8)).X-Note: invalid value of X-Note: use printable ASCII, without line breaks"])
        XCTAssertEqual(errors("X-Note: [a, b]"), ["\(at(8)).X-Note: expected a string, got a list"])
        XCTAssertEqual(
            configErrors(config("mode: http, http: { sorry_page: { file: \(sorryFile), headers: [Retry-After] } }")).map(\.message),
            ["expected a mapping, got a list"])

        let file = NSTemporaryDirectory() + "vipd-503-\(UUID().uuidString).http"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "HTTP/1.1 503 Service Unavailable\r\n\r\n".write(toFile: file, atomically: true, encoding: .utf8)
        XCTAssertEqual(
            configErrors(config("mode: http, http: { sorry_page: { response: \(file), headers: { Retry-After: 30 } } }")).map(\.message),
            ["response is a whole HTTP response with its own status and fields: use it without headers"])
    }

    func testSorryPageAsAWholeResponse() throws {
        let file = NSTemporaryDirectory() + "vipd-503-\(UUID().uuidString).http"
        defer { try? FileManager.default.removeItem(atPath: file) }
        try "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\nRetry-After: 30\r\n\r\n<h1>503</h1>\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let listener = try XCTUnwrap(parseValid(config("mode: http, http: { sorry_page: { response: \(file) } }"))?.listeners.first)
        let page = try XCTUnwrap(listener.http.sorryPage)
        XCTAssertEqual(page.status, 503)
        XCTAssertEqual(page.contentType, "text/html")
        XCTAssertEqual(page.fields, [.init(name: "Cache-Control", value: "no-cache"), .init(name: "Retry-After", value: "30")])
        XCTAssertEqual(page.body, Array("<h1>503</h1>\n".utf8))
        XCTAssertTrue(page.isWholeResponse)

        XCTAssertEqual(
            configErrors(config("mode: http, http: { sorry_page: { response: \(file), status: 200 } }")).map(\.description),
            ["vipd.yaml:2:87: listeners.web.http.sorry_page.response: response is a whole HTTP response with its own status and fields: use it without status"])
        XCTAssertEqual(
            configErrors(config("mode: http, http: { sorry_page: { response: \(sorryFile) } }")).map(\.description),
            ["vipd.yaml:2:87: listeners.web.http.sorry_page.response: \(sorryFile) is not a whole HTTP response: no empty line after the header fields: not a whole HTTP response"])
    }

    func testSorryPageMissingFileKey() {
        assertSingleError(
            config("mode: http, http: { sorry_page: { status: 503 } }"), line: 2, column: 75,
            keyPath: "listeners.web.http.sorry_page", message: #"missing required key "file""#)
    }

    func testValueErrors() {
        let yaml = config(
            """
            mode: http, http: { forwarded_for: yes, max_header_bytes: 100, max_headers: 0, max_body_bytes: -1, \
            request_timeout: 0s, server_timeout: soon, server_reuse: always, server_idle_timeout: 0s, forwarded_by: x }
            """)
        XCTAssertEqual(
            configErrors(yaml).map { "\($0.keyPath): \($0.message)" },
            [
                #"listeners.web.http.forwarded_for: expected a boolean (true or false), got "yes""#,
                "listeners.web.http.max_header_bytes: 100 is out of range: must be between 1024 and 1048576",
                "listeners.web.http.max_headers: 0 is out of range: must be between 1 and 10000",
                "listeners.web.http.max_body_bytes: -1 is out of range: must be at least 0",
                "listeners.web.http.request_timeout: duration must be greater than zero",
                #"listeners.web.http.server_timeout: invalid duration "soon" (use e.g. 500ms, 2s, 1m, 1h)"#,
                #"listeners.web.http.server_reuse: invalid value "always"; use one of: safe, never"#,
                "listeners.web.http.server_idle_timeout: duration must be greater than zero",
                #"listeners.web.http.forwarded_by: unknown key "forwarded_by" (did you mean "forwarded_for"?)"#,
            ])
    }

    func testOversizedSorryPage() throws {
        let big = NSTemporaryDirectory() + "vipd-sorry-big-\(UUID().uuidString).html"
        try Data(count: SorryPage.maxSize + 1).write(to: URL(fileURLWithPath: big))
        defer { try? FileManager.default.removeItem(atPath: big) }
        let errors = configErrors(config("mode: http, http: { sorry_page: { file: \(big) } }"))
        XCTAssertEqual(errors.map(\.message), ["\(big) is 1048577 bytes; a sorry page may have at most 1 MiB"])
    }
}
