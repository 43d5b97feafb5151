import VipdConfig
import VipdCore
import XCTest

/// Defaults, `nodes:PORT` expansion and IPv6 endpoints.
final class DefaultsTests: XCTestCase {
    func testAllDefaults() throws {
        let configuration = try XCTUnwrap(parseValid(minimalConfig()))
        XCTAssertEqual(configuration.nodes, [])
        XCTAssertEqual(configuration.global, GlobalSettings(drainTimeout: .seconds(30), sessionDrainLimit: .seconds(86_400), logLevel: "info"))
        let listener = try XCTUnwrap(configuration.listeners.first)
        XCTAssertEqual(listener.mode, .tcp)
        XCTAssertEqual(listener.idleTimeout, .seconds(3600))
        XCTAssertEqual(listener.connectTimeout, .seconds(5))
        XCTAssertEqual(listener.maxConnections, 2000)
        XCTAssertEqual(listener.retries, 3)
        let pool = try XCTUnwrap(configuration.pool(named: "ssh"))
        XCTAssertEqual(pool.balance, .roundrobin)
        XCTAssertEqual(
            pool.check, HealthCheckConfig(kind: .tcp, interval: .seconds(2), timeout: .seconds(2), fall: 3, rise: 2))
        XCTAssertEqual(
            pool.servers,
            [
                ServerConfig(
                    name: "127.0.0.1:22", endpoint: SocketEndpoint(parsing: "127.0.0.1:22")!, weight: 1, backup: false,
                    checked: true)
            ])
    }

    func testCheckKindDefaults() throws {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p: { servers: [{ address: 10.0.0.1:80 }], check: { kind: ssh-banner } }
              q: { servers: [{ address: 10.0.0.1:80 }], check: { kind: http } }
              r: { servers: [{ address: 10.0.0.1:80 }], check: { kind: none, interval: 5s } }
              s: { servers: [{ address: 10.0.0.1:80 }], check: { kind: http, expect_status: 204 } }
              t: { servers: [{ address: 10.0.0.1:80 }], check: { kind: exec, command: "/usr/local/bin/check-web --port $VIPD_SERVER_PORT" } }
            """
        let pools = try XCTUnwrap(parseValid(yaml)).pools
        XCTAssertEqual(
            pools.map(\.check.kind),
            [
                .sshBanner(pattern: #"^SSH-2\.0-"#),
                .http(HTTPCheckSettings(method: "GET", path: "/", host: nil, expectStatus: [200])),
                nil,
                .http(HTTPCheckSettings(expectStatus: [204])),
                .exec(command: "/usr/local/bin/check-web --port $VIPD_SERVER_PORT"),
            ])
        XCTAssertEqual(pools[2].check.interval, .seconds(5))
        XCTAssertEqual(pools[4].check, HealthCheckConfig(kind: pools[4].check.kind, interval: .seconds(2), timeout: .seconds(2), fall: 3, rise: 2))
    }

    func testNodesShorthandExpandsToOneServerPerNode() throws {
        let yaml = """
            cluster:
              nodes:
                ha0: { address: 192.168.2.230 }
                ha1: { address: "2001:db8::31", priority: 90 }
            listeners: { ssh: { bind: 192.168.2.232:22, pool: ssh } }
            pools: { ssh: { servers: nodes:22 } }
            """
        let configuration = try XCTUnwrap(parseValid(yaml))
        XCTAssertEqual(configuration.nodes.map(\.priority), [100, 90])
        XCTAssertEqual(
            configuration.pools.first?.servers,
            [
                ServerConfig(name: "ha0", endpoint: SocketEndpoint(parsing: "192.168.2.230:22")!),
                ServerConfig(name: "ha1", endpoint: SocketEndpoint(parsing: "[2001:db8::31]:22")!),
            ])
    }

    func testIPv6Endpoints() throws {
        let yaml = """
            listeners:
              a: { bind: "[::]:2222", pool: p }
              b: { bind: 0.0.0.0:2222, pool: p }
              c: { bind: "[::1]:2223", pool: p }
            pools:
              p: { servers: [{ address: "[2001:DB8:0::1]:22" }] }
            """
        let configuration = try XCTUnwrap(parseValid(yaml))
        XCTAssertEqual(configuration.listeners.map(\.bind.description), ["[::]:2222", "0.0.0.0:2222", "[::1]:2223"])
        XCTAssertEqual(configuration.pools.first?.servers.first?.name, "[2001:db8::1]:22")
        XCTAssertEqual(configuration.pools.first?.servers.first?.endpoint.address.family, .v6)
    }

    func testFileOrderIsKept() throws {
        let yaml = """
            listeners:
              z: { bind: 127.0.0.1:1, pool: b }
              a: { bind: 127.0.0.1:2, pool: a }
            pools:
              b: { servers: [{ address: 10.0.0.1:1 }] }
              a: { servers: [{ address: 10.0.0.1:2 }] }
            """
        let configuration = try XCTUnwrap(parseValid(yaml))
        XCTAssertEqual(configuration.listeners.map(\.name), ["z", "a"])
        XCTAssertEqual(configuration.pools.map(\.name), ["b", "a"])
    }
}
