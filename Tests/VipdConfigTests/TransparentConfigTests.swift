import VipdConfig
import XCTest

/// `transparent: true` on a pool: only cluster nodes as servers, TCP-mode listeners, and a server
/// address in each listener's family.
final class TransparentConfigTests: XCTestCase {
    private func config(pool: String, listeners: String = "ssh: { bind: 10.0.0.100:22, pool: ssh }", nodes: String? = nil) -> String {
        """
        cluster:
          nodes:
        \(nodes ?? "    ha0: { address: 10.0.0.11, address6: \"fd00::11\" }\n    ha1: { address: 10.0.0.12, address6: \"fd00::12\" }")
        listeners:
          \(listeners)
        pools:
          ssh:
        \(pool)
        """
    }

    func testNodesShorthandIsTransparentWithEachNodesAddressInBothFamilies() throws {
        let parsed = try XCTUnwrap(parseValid(config(pool: "    transparent: true\n    servers: nodes:22")))
        let pool = try XCTUnwrap(parsed.pool(named: "ssh"))
        XCTAssertTrue(pool.transparent)
        XCTAssertEqual(pool.servers.map(\.name), ["ha0", "ha1"])
        XCTAssertEqual(pool.servers[1].endpoint(for: .v4)?.description, "10.0.0.12:22")
        XCTAssertEqual(pool.servers[1].endpoint(for: .v6)?.description, "[fd00::12]:22")
    }

    func testPoolsAreNotTransparentByDefaultAndKeepTheirOwnFamilyOnly() throws {
        let parsed = try XCTUnwrap(parseValid(config(pool: "    servers: nodes:22")))
        let pool = try XCTUnwrap(parsed.pool(named: "ssh"))
        XCTAssertFalse(pool.transparent)
        XCTAssertEqual(pool.servers[0].nodeEndpoints, [])
        XCTAssertNil(pool.servers[0].endpoint(for: .v6))
    }

    func testAListedServerAtANodesAddressIsThatNode() throws {
        let parsed = try XCTUnwrap(
            parseValid(config(pool: "    transparent: true\n    servers:\n      - { name: one, address: \"[fd00::11]:2222\" }")))
        XCTAssertEqual(parsed.pool(named: "ssh")?.servers[0].endpoint(for: .v4)?.description, "10.0.0.11:2222")
    }

    func testAServerThatIsNoNodeIsRefusedWithTheReason() {
        assertSingleError(
            config(pool: "    transparent: true\n    servers:\n      - { name: web, address: 10.0.0.9:22 }\n      - { address: 10.0.0.11:22 }"),
            line: 9, column: 18, keyPath: "pools.ssh.transparent",
            message: "transparent: server \"web\" (10.0.0.9:22) is not a cluster node: a server that does not run vipd sends its replies straight to the client, which drops them; use servers: nodes:PORT, list it under cluster.nodes, or remove transparent")
    }

    func testTransparentNeedsACluster() {
        assertSingleError(
            """
            listeners:
              ssh: { bind: 10.0.0.100:22, pool: ssh }
            pools:
              ssh: { transparent: true, servers: [ { address: 10.0.0.11:22 } ] }
            """,
            line: 4, column: 23, keyPath: "pools.ssh.transparent",
            message: "transparent needs cluster.nodes: only servers that are cluster nodes running vipd can send their replies back through the proxying node")
    }

    func testAnHTTPListenerOfATransparentPoolIsRefused() {
        assertSingleError(
            config(pool: "    transparent: true\n    servers: nodes:80", listeners: "web: { bind: 10.0.0.100:80, mode: http, pool: ssh }"),
            line: 6, column: 49, keyPath: "listeners.web.pool",
            message: "pool \"ssh\" is transparent, which applies to mode: tcp; in mode: http the client's address reaches the servers in X-Forwarded-For and Forwarded")
    }

    func testAnIPv6ListenerNeedsEveryNodeToHaveAnIPv6Address() {
        assertSingleError(
            config(
                pool: "    transparent: true\n    servers: nodes:22", listeners: "ssh6: { bind: \"[fd00::100]:22\", pool: ssh }",
                nodes: "    ha0: { address: 10.0.0.11, address6: \"fd00::11\" }\n    ha1: { address: 10.0.0.12 }"),
            line: 6, column: 41, keyPath: "listeners.ssh6.pool",
            message: "pool \"ssh\" is transparent and this listener is IPv6, but server \"ha1\" has no IPv6 address to take the client's connection: give its node address6")
    }

    func testTransparentIsABoolean() {
        let errors = configErrors(config(pool: "    transparent: yes please\n    servers: nodes:22"))
        XCTAssertEqual(errors.map(\.keyPath), ["pools.ssh.transparent"])
    }
}
