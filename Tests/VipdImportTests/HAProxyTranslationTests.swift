import VipdConfig
import VipdCore
import VipdImport
import XCTest

/// haproxy.cfg translated field by field, with what is not carried listed at its line.
final class HAProxyTranslationTests: XCTestCase {
    private func importing(_ haproxy: String) throws -> ImportResult {
        let result = try Fixture.importing(haproxy: haproxy)
        Fixture.assertLoads(result)
        return result
    }

    /// An input of the fuzz-haproxy harness (kept in its corpus): a time too long for 64 bits of
    /// milliseconds used to trap; it is a directive not carried.
    func testOverlongTimeIsListedNotATrap() throws {
        let result = try importing(Fixture.sshProxy.replacingOccurrences(of: "timeout client 1h", with: "timeout client 99999999999999999s"))
        XCTAssertTrue(result.notes.contains { $0.directive == "timeout client 99999999999999999s" }, "\(result.notes)")
    }

    func testListenSectionDefaultsInheritanceAndServerOptions() throws {
        let result = try importing(
            """
            defaults
            mode tcp
            timeout connect 4s
            timeout client 30m
            timeout server 2h
            retries 2
            maxconn 500
            default-server inter 3s fall 2 rise 4
            listen db
            bind 10.0.0.10:5432
            balance leastconn
            server a 10.0.0.1:5432 check weight 3
            server b 10.0.0.2:5432 check backup
            server c 10.0.0.3:5432
            """)
        let config = result.configuration
        XCTAssertEqual(
            config.listeners,
            [
                ListenerConfig(
                    name: "db", bind: SocketEndpoint(parsing: "10.0.0.10:5432")!, pool: "db", idleTimeout: .seconds(7200),
                    connectTimeout: .seconds(4), maxConnections: 500, retries: 2)
            ])
        let pool = try XCTUnwrap(config.pools.first)
        XCTAssertEqual(pool.balance, .leastconn)
        XCTAssertEqual(
            pool.servers,
            [
                ServerConfig(name: "a", endpoint: SocketEndpoint(parsing: "10.0.0.1:5432")!, weight: 3),
                ServerConfig(name: "b", endpoint: SocketEndpoint(parsing: "10.0.0.2:5432")!, backup: true),
                ServerConfig(name: "c", endpoint: SocketEndpoint(parsing: "10.0.0.3:5432")!, checked: false),
            ])
        XCTAssertEqual(pool.check, HealthCheckConfig(kind: .tcp, interval: .seconds(3), timeout: .seconds(3), fall: 2, rise: 4))
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:4: timeout client 30m: vipd has one idle timeout for both directions: idle_timeout 2h, the larger of timeout client and timeout server"
            ])
    }

    func testProxySettingsOverrideDefaultsAndNamedDefaultsApply() throws {
        let result = try importing(
            """
            defaults web
            mode http
            timeout client 1m
            defaults tcp
            mode tcp
            timeout client 10s
            timeout server 10s
            frontend f from tcp
            bind :2222
            timeout client 5m
            default_backend b
            backend b from tcp
            timeout server 5m
            server s 127.0.0.1:22
            """)
        XCTAssertEqual(result.configuration.listeners.first?.idleTimeout, .seconds(300))
        XCTAssertEqual(result.configuration.listeners.first?.bind.description, "0.0.0.0:2222")
        XCTAssertEqual(result.configuration.pools.first?.check.kind, nil)
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:2: mode http: no frontend, backend or listen inherits this defaults section",
                "haproxy.cfg:3: timeout client 1m: no frontend, backend or listen inherits this defaults section",
            ])
    }

    func testHTTPCheckForms() throws {
        let result = try importing(
            """
            defaults
            timeout client 1m
            backend a
            option httpchk HEAD /health HTTP/1.1\\r\\nHost:\\ www.example.com
            http-check expect status 200-204
            server s 10.0.0.1:80 check inter 5000
            backend b
            option httpchk /ready
            server s 10.0.0.1:81 check
            frontend fa
            bind 10.0.0.10:80
            default_backend a
            frontend fb
            bind 10.0.0.10:81
            default_backend b
            """)
        let pools = result.configuration.pools
        XCTAssertEqual(
            pools[0].check.kind, .http(HTTPCheckSettings(method: "HEAD", path: "/health", host: "www.example.com", expectStatus: [200, 201, 202, 203, 204])))
        XCTAssertEqual(pools[0].check.interval, .seconds(5))
        XCTAssertEqual(pools[0].check.timeout, .seconds(5))
        XCTAssertEqual(pools[1].check.kind, .http(HTTPCheckSettings(path: "/ready")))
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:8: option httpchk /ready: without http-check expect haproxy accepts any 2xx or 3xx status; vipd's check passes on 200 only (add others to expect_status)"
            ])
    }

    func testTCPCheckStringBecomesAnEscapedBannerPatternAndSendsAreListed() throws {
        let result = try importing(
            """
            backend ssh
            option tcp-check
            tcp-check expect string SSH-2.0
            server s 10.0.0.1:22 check port 2222
            backend redis
            option tcp-check
            tcp-check send PING\\r\\n
            tcp-check expect string +PONG
            server r 10.0.0.2:6379 check
            listen both
            bind 10.0.0.10:22
            server t 10.0.0.3:22 check
            frontend r
            bind 10.0.0.10:6379
            default_backend redis
            frontend s
            bind 10.0.0.10:2222
            default_backend ssh
            """)
        let pools = Dictionary(uniqueKeysWithValues: result.configuration.pools.map { ($0.name, $0) })
        XCTAssertEqual(pools["ssh"]?.check.kind, .sshBanner(pattern: #"SSH-2\.0"#))
        XCTAssertEqual(pools["redis"]?.check.kind, .tcp)
        XCTAssertEqual(pools["both"]?.check.kind, .tcp)
        let lines = Fixture.lines(result)
        XCTAssertTrue(lines.contains { $0.hasPrefix("haproxy.cfg:4: server s 10.0.0.1:22 check port 2222: \"port 2222\" not carried") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("haproxy.cfg:7: tcp-check send PING") && $0.hasSuffix("vipd's checks send nothing; not carried") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("haproxy.cfg:8: tcp-check expect string +PONG:") }, "\(lines)")
    }

    func testAddressesVipdCannotUseAreListed() throws {
        let result = try importing(
            """
            frontend f
            bind 10.0.0.10:80,[2001:db8::10]:80 ssl crt /x.pem
            bind /run/haproxy.sock
            bind 10.0.0.10:8000-8010
            default_backend b
            use_backend c if { path_beg /c }
            backend b
            server named web.example.com:80
            server noport 10.0.0.1
            server ok 10.0.0.2:80 check maxconn 10 fastinter 1s
            server dup 10.0.0.2:80
            """)
        XCTAssertEqual(result.configuration.listeners.map(\.name), ["f-10.0.0.10-80", "f-2001-db8--10-80"])
        XCTAssertEqual(result.configuration.listeners.map(\.bind.description), ["10.0.0.10:80", "[2001:db8::10]:80"])
        XCTAssertTrue(result.yaml.contains("bind: \"[2001:db8::10]:80\""), result.yaml)
        XCTAssertEqual(result.configuration.pools.first?.servers.map(\.name), ["ok"])
        let byLine = Dictionary(grouping: result.notes, by: \.location.line)
        XCTAssertEqual(byLine[2]?.map(\.reason), [
            "bind option \"ssl\" not carried; vipd binds plain TCP", "bind option \"crt\" not carried; vipd binds plain TCP",
            "bind option \"/x.pem\" not carried; vipd binds plain TCP",
        ])
        XCTAssertEqual(byLine[3]?.first?.reason, "/run/haproxy.sock is not a TCP address; vipd listens and connects on TCP only; no listener")
        XCTAssertEqual(byLine[4]?.first?.reason, "10.0.0.10:8000-8010 is a port range; vipd listens on one port per listener; no listener")
        XCTAssertTrue(byLine[6]?.first?.reason.contains("no content switching") ?? false)
        XCTAssertTrue(byLine[8]?.first?.reason.contains("host name") ?? false)
        XCTAssertTrue(byLine[9]?.first?.reason.contains("has no port") ?? false)
        XCTAssertEqual(byLine[10]?.map(\.reason), [
            "\"maxconn 10\" not carried: vipd limits connections per listener (maxconn), not per server",
            "\"fastinter 1s\" not carried: vipd checks every server at the pool's one interval",
        ])
        XCTAssertTrue(byLine[11]?.first?.reason.contains("same name or address") ?? false)
    }

    func testUnknownSectionsAndKeywordsAreListedOnce() throws {
        let result = try importing(
            """
            global
            nbthread 4
            userlist admins
            user a insecure-password x
            defaults
            mode tcp
            option dontlognull
            frontend f
            bind 10.0.0.10:22
            frobnicate on
            default_backend b
            backend b
            server s 10.0.0.1:22
            frontend g
            bind 10.0.0.10:23
            default_backend b
            """)
        XCTAssertEqual(
            Fixture.lines(result),
            [
                "haproxy.cfg:2: nbthread 4: vipd sizes its event loops to the CPUs itself",
                "haproxy.cfg:3: userlist admins: vipd has no userlist section; its 1 line(s) are not read",
                "haproxy.cfg:7: option dontlognull: vipd logs every connection, also those that carried no data",
                "haproxy.cfg:8: frontend f: no timeout client or timeout server: haproxy waits forever, vipd closes a connection idle for 1h (idle_timeout)",
                "haproxy.cfg:10: frobnicate on: vipd has no equivalent; not carried",
                "haproxy.cfg:14: frontend g: no timeout client or timeout server: haproxy waits forever, vipd closes a connection idle for 1h (idle_timeout)",
            ])
    }

    func testNoListenerIsAnError() {
        XCTAssertThrowsError(try Fixture.importing(haproxy: "frontend stats\nbind :8404\nstats enable\n")) { error in
            XCTAssertTrue("\(error)".contains("at least one listener"), "\(error)")
        }
    }
}
