import Foundation
import VipdConfig
import VipdCore
@testable import VipdImport
import XCTest

/// haproxy `mode http` proxies become `mode: http` listeners: forwarding headers, server connection
/// reuse, timeouts and the no-server page, with what vipd does differently listed at its line.
final class HAProxyHTTPTranslationTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-import-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try FileManager.default.removeItem(at: directory)
    }

    /// A page file in the test's directory.
    private func page(_ name: String, _ text: String) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func testFrontendAndBackendInMode_HTTP_CarryHeadersReuseTimeoutsAndTheSorryPage() throws {
        let sorry = try page("sorry.html", "<h1>back soon</h1>\n")
        let result = try Fixture.importing(
            haproxy: """
                defaults
                mode http
                log global
                option httplog
                option dontlognull
                option http-server-close
                option forwardfor except 127.0.0.0/8
                timeout http-request 5s
                timeout http-keep-alive 10s
                timeout connect 3s
                timeout client 1m
                timeout server 1m
                frontend web
                bind 192.0.2.10:80
                default_backend app
                backend app
                timeout server 20s
                option httpchk
                http-check send meth GET uri /ready
                http-check expect status 200
                server a 192.0.2.1:8080 check
                server b 192.0.2.2:8080 check
                acl no_srv nbsrv(app) eq 0
                http-request return status 503 content-type "text/html; charset=utf-8" file \(sorry) if no_srv
                """)
        Fixture.assertLoads(result)
        XCTAssertEqual(
            result.configuration.listeners,
            [
                ListenerConfig(
                    name: "web", bind: SocketEndpoint(parsing: "192.0.2.10:80")!, mode: .http, pool: "app",
                    idleTimeout: .seconds(60), connectTimeout: .seconds(3),
                    http: HTTPListenerSettings(
                        forwardedFor: true,
                        sorryPage: SorryPage(file: sorry, body: Array("<h1>back soon</h1>\n".utf8), status: 503),
                        requestTimeout: .seconds(5), serverTimeout: .seconds(20), serverReuse: .never))
            ])
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:7: option forwardfor except 127.0.0.0/8: \"except 127.0.0.0/8\" not carried: vipd adds X-Forwarded-For for every client, also from 127.0.0.0/8",
                "haproxy.cfg:9: timeout http-keep-alive 10s: vipd gives a kept-alive client request_timeout (5s) to send its next request",
                "haproxy.cfg:17: timeout server 20s: vipd has one idle timeout for both directions: idle_timeout 1m, the larger of timeout client and timeout server",
            ])
        XCTAssertTrue(result.yaml.contains("    mode: http\n"), result.yaml)
        XCTAssertTrue(
            result.yaml.contains(
                """
                    http:
                      forwarded_for: true
                      server_reuse: never
                      request_timeout: 5s
                      server_timeout: 20s
                      sorry_page: { file: \(sorry), status: 503, content_type: 'text/html; charset=utf-8' }

                """), result.yaml)
    }

    /// The rule's `hdr` fields become the page's `headers` where vipd can serve them as given; a
    /// log-format value, a framing field, Content-Type and a repeated name are remarked at the rule.
    func testNoServerRuleHeadersAreCarriedWhereVipdServesThemAsGiven() throws {
        let sorry = try page("sorry.html", "<h1>back soon</h1>\n")
        let result = try Fixture.importing(
            haproxy: """
                frontend web
                mode http
                bind 192.0.2.10:80
                default_backend app
                backend app
                mode http
                server a 192.0.2.1:8080 check
                http-request return status 503 file \(sorry) hdr Retry-After 30 hdr X-Request %[unique-id] hdr Content-Length 5 hdr content-type text/plain hdr retry-after 60 hdr Cache-Control "no-store, max-age=0" if { nbsrv eq 0 }
                """)
        Fixture.assertLoads(result)
        let page = try XCTUnwrap(result.configuration.listeners.first?.http.sorryPage)
        XCTAssertEqual(
            page.fields,
            [HTTPResponseFile.Field(name: "Retry-After", value: "30"), HTTPResponseFile.Field(name: "Cache-Control", value: "no-store, max-age=0")])
        let rule = "haproxy.cfg:8: http-request return status 503 file \(sorry) hdr Retry-After 30 hdr X-Request %[unique-id] hdr Content-Length 5 hdr content-type text/plain hdr retry-after 60 hdr Cache-Control no-store, max-age=0 if { nbsrv eq 0 }"  // the rule's words, unquoted
        XCTAssertEqual(
            Fixture.lines(result).filter { $0.hasPrefix("haproxy.cfg:8:") },
            [
                "\(rule): hdr X-Request not carried: its value is haproxy log-format, which vipd does not evaluate",
                "\(rule): hdr Content-Length not carried: Content-Length is written by vipd itself (it frames the response and closes the connection)",
                "\(rule): hdr content-type not carried: set the content type with content_type, not in headers",
                "\(rule): hdr retry-after not carried: header field \"retry-after\" is given twice (also as \"Retry-After\")",
            ])
        XCTAssertTrue(
            result.yaml.contains(
                "      sorry_page: { file: \(sorry), status: 503, content_type: 'text/html; charset=utf-8', headers: { Retry-After: '30', Cache-Control: 'no-store, max-age=0' } }\n"),
            result.yaml)
    }

    func testListenWithAnonymousConditionReuseAlwaysAndNoForwardFor() throws {
        let sorry = try page("down.html", "down")
        let result = try Fixture.importing(
            haproxy: """
                listen www
                mode http
                bind :8080
                timeout client 30s
                timeout server 30s
                http-reuse always
                option http-keep-alive
                server a 127.0.0.1:8081
                http-request return file \(sorry) if { nbsrv eq 0 }
                """)
        Fixture.assertLoads(result)
        let listener = try XCTUnwrap(result.configuration.listeners.first)
        XCTAssertEqual(listener.mode, .http)
        XCTAssertEqual(
            listener.http,
            HTTPListenerSettings(
                forwardedFor: false, sorryPage: SorryPage(file: sorry, body: Array("down".utf8), status: 200, contentType: SorryPage.defaultContentType),
                serverReuse: .safe))
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:6: http-reuse always: vipd reuses a server connection only for a request it can send again (server_reuse: safe)"
            ])
        XCTAssertTrue(result.yaml.contains("      forwarded_for: false\n"), result.yaml)
    }

    /// Debian's haproxy.cfg names an errorfile per status in `defaults`: the 503 one is the response
    /// haproxy sends when no server is up, vipd's `sorry_page: { response }`; the others stay listed.
    func testErrorfile503IsTheSorryResponse() throws {
        let errors = try page(
            "503.http",
            "HTTP/1.0 503 Service Unavailable\r\nCache-Control: no-cache\r\nConnection: close\r\nContent-Type: text/html\r\n\r\n<h1>503</h1>\r\n")
        let haproxy = """
            defaults
            mode http
            timeout client 1m
            timeout server 1m
            errorfile 400 /etc/haproxy/errors/400.http
            errorfile 503 \(errors)
            frontend web
            bind :80
            default_backend app
            backend app
            server a 127.0.0.1:8081
            """
        let result = try Fixture.importing(haproxy: haproxy)
        Fixture.assertLoads(result)
        let sorry = try XCTUnwrap(result.configuration.listeners.first?.http.sorryPage)
        XCTAssertEqual(sorry.file, errors)
        XCTAssertTrue(sorry.isWholeResponse)
        XCTAssertEqual(sorry.status, 503)
        XCTAssertEqual(sorry.fields, [.init(name: "Cache-Control", value: "no-cache")])
        XCTAssertTrue(result.yaml.contains("      sorry_page: { response: \(errors) }\n"), result.yaml)
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:5: errorfile 400 /etc/haproxy/errors/400.http: vipd answers its own errors with small built-in responses; of errorfile it carries only 503, haproxy's no-server response (http.sorry_page: { response })",
            ])

        let elsewhere = try ConfigImporter.translate(
            haproxy: SourceText(path: "haproxy.cfg", text: haproxy), readFile: Fixture.noFile)
        XCTAssertNil(elsewhere.configuration.listeners.first?.http.sorryPage)
        XCTAssertTrue(
            Fixture.lines(elsewhere).contains(
                "haproxy.cfg:6: errorfile 503 \(errors): cannot read \(errors) here (No such file or directory); where it exists, add sorry_page: { response: \(errors) } to the listener's http block"),
            "\(Fixture.lines(elsewhere))")
        let notAResponse = try page("sorry.html", "<h1>sorry</h1>\n")
        let html = try Fixture.importing(haproxy: haproxy.replacingOccurrences(of: errors, with: notAResponse))
        XCTAssertNil(html.configuration.listeners.first?.http.sorryPage)
        XCTAssertTrue(
            Fixture.lines(html).contains(
                "haproxy.cfg:6: errorfile 503 \(notAResponse): \(notAResponse) is not a whole HTTP response (no empty line after the header fields: not a whole HTTP response); vipd would refuse it"),
            "\(Fixture.lines(html))")
    }

    /// An `errorfile 503` that haproxy never sends is listed with what answers instead: a later or
    /// nearer `errorfile 503` (the backend's before the frontend's), or a no-server return rule.
    func testAnErrorfile503ThatDoesNotAnswerIsListedWithWhatDoes() throws {
        let general = try page("general.http", "HTTP/1.0 503 Service Unavailable\r\n\r\ngeneral\n")
        let own = try page("own.http", "HTTP/1.0 503 Service Unavailable\r\n\r\nown\n")
        let front = try page("front.http", "HTTP/1.0 503 Service Unavailable\r\n\r\nfront\n")
        let sorry = try page("sorry.html", "sorry\n")
        let haproxy = """
            defaults
            mode http
            timeout client 1m
            timeout server 1m
            errorfile 503 \(general)
            frontend web
            bind :80
            errorfile 503 \(front)
            default_backend app
            backend app
            errorfile 503 \(own)
            server a 127.0.0.1:8081
            """
        let result = try Fixture.importing(haproxy: haproxy)
        Fixture.assertLoads(result)
        XCTAssertEqual(result.configuration.listeners.first?.http.sorryPage?.body, Array("own\n".utf8))
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:5: errorfile 503 \(general): not used: errorfile 503 at haproxy.cfg:11 answers instead, as in haproxy",
                "haproxy.cfg:8: errorfile 503 \(front): not used: errorfile 503 at haproxy.cfg:11 answers instead, as in haproxy",
            ])

        let ruled = try Fixture.importing(haproxy: haproxy + "\nhttp-request return status 503 file \(sorry) if { nbsrv eq 0 }")
        Fixture.assertLoads(ruled)
        XCTAssertEqual(ruled.configuration.listeners.first?.http.sorryPage?.body, Array("sorry\n".utf8))
        XCTAssertEqual(
            Fixture.lines(ruled),
            [
                "haproxy.cfg:5: errorfile 503 \(general): not used: the no-server rule at haproxy.cfg:13 answers first, as in haproxy",
                "haproxy.cfg:8: errorfile 503 \(front): not used: the no-server rule at haproxy.cfg:13 answers first, as in haproxy",
                "haproxy.cfg:11: errorfile 503 \(own): not used: the no-server rule at haproxy.cfg:13 answers first, as in haproxy",
            ])
    }

    func testANoServerPageVipdCannotServeIsListedWithWhatToWrite() throws {
        let result = try ConfigImporter.translate(
            haproxy: SourceText(
                path: "haproxy.cfg",
                text: """
                    defaults
                    mode http
                    timeout client 1m
                    timeout server 1m
                    frontend web
                    bind :80
                    default_backend app
                    acl down nbsrv(app) lt 1
                    http-request return status 503 file /etc/haproxy/sorry.html if down
                    http-request return status 503 string "sorry" if { nbsrv(app) eq 0 }
                    http-request return status 503 file /etc/haproxy/sorry.html unless down
                    http-request set-header X-Forwarded-Proto https
                    backend app
                    option httpclose
                    server a 127.0.0.1:8081
                    """),
            readFile: Fixture.noFile)
        Fixture.assertLoads(result)
        XCTAssertNil(result.configuration.listeners.first?.http.sorryPage)
        XCTAssertEqual(result.configuration.listeners.first?.http.serverReuse, .never)
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:8: acl down nbsrv(app) lt 1: the no-server condition of haproxy.cfg:9, not carried with it",
                "haproxy.cfg:9: http-request return status 503 file /etc/haproxy/sorry.html if down: cannot read /etc/haproxy/sorry.html here (No such file or directory); where it exists, add sorry_page: { file: /etc/haproxy/sorry.html, status: 503 } to the listener's http block",
                "haproxy.cfg:10: http-request return status 503 string sorry if { nbsrv(app) eq 0 }: vipd serves the no-server page from a file: put the page in one and set sorry_page: { file: … }",
                "haproxy.cfg:11: http-request return status 503 file /etc/haproxy/sorry.html unless down: vipd has no http-request rules; of them it carries only the no-server page (http-request return … file … if { nbsrv(BACKEND) eq 0 })",
                "haproxy.cfg:12: http-request set-header X-Forwarded-Proto https: vipd has no http-request rules; of them it carries only the no-server page (http-request return … file … if { nbsrv(BACKEND) eq 0 })",
                "haproxy.cfg:14: option httpclose: vipd closes each server connection after its response (server_reuse: never) and keeps the client's open",
            ])
    }

    func testTLSBindsInModeHTTPAreNoListenersAndHTTPSettingsInModeTCPAreListed() throws {
        let result = try Fixture.importing(
            haproxy: """
                defaults
                timeout client 1m
                timeout server 1m
                frontend https
                mode http
                bind :443 ssl crt /etc/haproxy/site.pem
                bind :8080
                default_backend app
                frontend plain
                mode http
                bind 192.0.2.10:443
                default_backend app
                frontend ssh
                mode tcp
                option forwardfor
                timeout http-request 5s
                bind :22
                default_backend sshd
                backend app
                mode http
                server a 127.0.0.1:8081
                backend sshd
                mode tcp
                server a 127.0.0.1:2222
                """)
        Fixture.assertLoads(result)
        XCTAssertEqual(result.configuration.listeners.map(\.name), ["https", "plain", "ssh"])
        XCTAssertEqual(result.configuration.listeners.map(\.mode), [.http, .http, .tcp])
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:6: bind :443 ssl crt /etc/haproxy/site.pem: haproxy terminates TLS here and vipd does not: no listener (a mode: tcp listener would pass TLS to the servers unchanged)",
                "haproxy.cfg:11: bind 192.0.2.10:443: port 443 in mode http without ssl: haproxy and vipd both expect plain HTTP here, so HTTPS clients fail",
                "haproxy.cfg:15: option forwardfor: an HTTP setting in a mode tcp proxy: haproxy does not use it there either",
                "haproxy.cfg:16: timeout http-request 5s: an HTTP setting in a mode tcp proxy: haproxy does not use it there either",
            ])
    }

    func testModeMismatchAndUnknownModesAreNamed() throws {
        let result = try Fixture.importing(
            haproxy: """
                defaults
                timeout client 1m
                timeout server 1m
                frontend f
                mode http
                bind :80
                default_backend b
                backend b
                mode tcp
                server a 127.0.0.1:8081
                listen h
                mode health
                bind :81
                server a 127.0.0.1:8082
                """)
        Fixture.assertLoads(result)
        XCTAssertEqual(result.configuration.listeners.map(\.mode), [.http, .tcp])
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:4: frontend f: mode http here but backend b is mode tcp: haproxy refuses that; the listener is mode: http",
                "haproxy.cfg:12: mode health: vipd proxies mode tcp or mode http; the listener is mode: tcp",
            ])
    }

    func testReturnRuleWords() {
        func rule(_ text: String) -> HAProxyReturnRule? {
            HAProxyReturnRule(ArraySlice(text.split(separator: " ").map(String.init)))
        }
        let full = rule("return status 503 content-type text/html file /p hdr Retry-After 30 if no_srv")
        XCTAssertEqual(full?.status, 503)
        XCTAssertEqual(full?.contentType, "text/html")
        XCTAssertEqual(full?.body, .file("/p"))
        XCTAssertEqual(full?.headers, [HTTPResponseFile.Field(name: "Retry-After", value: "30")])
        XCTAssertEqual(full?.condition, ["if", "no_srv"])
        XCTAssertEqual(rule("return")?.status, 200)
        XCTAssertEqual(rule("return")?.body, HAProxyReturnRule.Body.none)
        XCTAssertEqual(rule("return default-errorfiles")?.body, .other("default-errorfiles"))
        XCTAssertEqual(rule("return lf-string x")?.body, .other("lf-string"))
        for bad in [
            "deny", "return status", "return status 99", "return status 600", "return status x", "return content-type",
            "return file", "return file /a file /b", "return hdr X", "return frobnicate",
        ] {
            XCTAssertNil(rule(bad), bad)
        }
    }

    func testNoServerConditions() {
        func backend(_ condition: String, acls: [String: [String]] = [:]) -> String? {
            let rule = HAProxyReturnRule(ArraySlice(("return file /p " + condition).split(separator: " ").map(String.init)))
            return rule?.noServerBackend(acls: acls)
        }
        XCTAssertEqual(backend("if x", acls: ["x": ["nbsrv(app)", "eq", "0"]]), "app")
        XCTAssertEqual(backend("if x", acls: ["x": ["nbsrv(app)", "lt", "1"]]), "app")
        XCTAssertEqual(backend("if { nbsrv(app) eq 0 }"), "app")
        XCTAssertEqual(backend("if { nbsrv eq 0 }"), "")
        XCTAssertEqual(backend("if { nbsrv() eq 0 }"), "")
        XCTAssertNil(backend(""))
        XCTAssertNil(backend("unless x", acls: ["x": ["nbsrv(app)", "eq", "0"]]))
        XCTAssertNil(backend("if x"))
        XCTAssertNil(backend("if x", acls: ["x": ["nbsrv(app)", "eq", "1"]]))
        XCTAssertNil(backend("if x", acls: ["x": ["nbsrv(app)", "gt", "0"]]))
        XCTAssertNil(backend("if x y", acls: ["x": ["nbsrv(app)", "eq", "0"]]))
        XCTAssertNil(backend("if !x", acls: ["x": ["nbsrv(app)", "eq", "0"]]))
        XCTAssertNil(backend("if { path /x }"))
        XCTAssertNil(backend("if { srv_is_up(app/a) eq 0 }"))
    }
}
