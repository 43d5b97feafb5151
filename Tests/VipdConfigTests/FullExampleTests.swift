import VipdConfig
import VipdCore
import XCTest

/// A full example configuration, and what it parses to.
final class FullExampleTests: XCTestCase {
    static let example = #"""
        cluster:
          nodes:
            ha0: { address: 192.168.2.230, priority: 100 }
            ha1: { address: 192.168.2.231, priority: 90 }
        global:
          drain_timeout: 45s
          log_level: notice
        listeners:
          ssh:
            bind: 192.168.2.232:22
            pool: ssh
            idle_timeout: 2h
            connect_timeout: 3s
            maxconn: 500
            retries: 2
          web:
            bind: "[2001:db8::10]:443"
            pool: web
        pools:
          ssh:
            balance: leastconn
            servers: nodes:22
            check:
              kind: ssh-banner
              interval: 1s
              timeout: 500ms
              fall: 2
              rise: 3
          web:
            balance: source
            servers:
              - { name: web1, address: "[2001:db8::1]:8080", weight: 3 }
              - { address: 192.168.2.240:8080, backup: true, check: false }
            check:
              kind: http
              method: HEAD
              path: /ready
              host: www.example.com
              expect_status: [200, 204]
        """#

    func testExampleParsesToTheExpectedValue() throws {
        let ha0 = ClusterNode(name: "ha0", address: IPAddress("192.168.2.230")!, priority: 100)
        let ha1 = ClusterNode(name: "ha1", address: IPAddress("192.168.2.231")!, priority: 90)
        let expected = VipdConfiguration(
            nodes: [ha0, ha1],
            global: GlobalSettings(drainTimeout: .seconds(45), logLevel: "notice"),
            listeners: [
                ListenerConfig(
                    name: "ssh", bind: SocketEndpoint(parsing: "192.168.2.232:22")!, pool: "ssh",
                    idleTimeout: .seconds(7200), connectTimeout: .seconds(3), maxConnections: 500, retries: 2),
                ListenerConfig(name: "web", bind: SocketEndpoint(parsing: "[2001:db8::10]:443")!, pool: "web"),
            ],
            pools: [
                PoolConfig(
                    name: "ssh", balance: .leastconn,
                    servers: [
                        ServerConfig(name: "ha0", endpoint: SocketEndpoint(parsing: "192.168.2.230:22")!),
                        ServerConfig(name: "ha1", endpoint: SocketEndpoint(parsing: "192.168.2.231:22")!),
                    ],
                    check: HealthCheckConfig(
                        kind: .sshBanner(pattern: HealthCheckKind.defaultSSHBannerPattern),
                        interval: .seconds(1), timeout: .milliseconds(500), fall: 2, rise: 3)),
                PoolConfig(
                    name: "web", balance: .source,
                    servers: [
                        ServerConfig(name: "web1", endpoint: SocketEndpoint(parsing: "[2001:db8::1]:8080")!, weight: 3),
                        ServerConfig(
                            name: "192.168.2.240:8080", endpoint: SocketEndpoint(parsing: "192.168.2.240:8080")!,
                            backup: true, checked: false),
                    ],
                    check: HealthCheckConfig(
                        kind: .http(
                            HTTPCheckSettings(
                                method: "HEAD", path: "/ready", host: "www.example.com", expectStatus: [200, 204])))),
            ])
        XCTAssertEqual(parseValid(Self.example), expected)
    }

    /// The full example of the configuration reference (docs/configuration.md) parses.
    func testReferenceExampleParses() throws {
        let readme = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "../../docs/configuration.md")
        let markdown = try String(contentsOf: readme, encoding: .utf8)
        let example = try XCTUnwrap(
            markdown.components(separatedBy: "## Full example").last?.components(separatedBy: "```").dropFirst().first)
        let configuration = try XCTUnwrap(parseValid(String(example.dropFirst("yaml\n".count))))
        XCTAssertEqual(configuration.nodes.map(\.name), ["ha0", "ha1"])
        XCTAssertEqual(configuration.listeners.map(\.name), ["ssh", "web"])
        XCTAssertEqual(
            configuration.pools.map { $0.servers.map(\.name) },
            [["ha0", "ha1"], ["web1", "web2", "192.168.2.241:8443"]])
    }
}
