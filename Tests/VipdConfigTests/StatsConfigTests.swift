import VipdConfig
import XCTest

/// The `stats` section: bind forms, auth, and every error with its position.
final class StatsConfigTests: XCTestCase {
    private let cluster = """
        cluster:
          nodes:
            ha0: { address: 10.0.0.1 }
            ha1: { address: 10.0.0.2 }
        """

    func testNodeBindResolvesOnEachNode() throws {
        let config = try XCTUnwrap(parseValid(minimalConfig(cluster + "\nstats: { bind: \"node:8404\" }")))
        let stats = try XCTUnwrap(config.stats)
        XCTAssertEqual(stats, StatsConfig(bind: .node(port: 8404)))
        XCTAssertEqual(stats.bind.description, "node:8404")
        XCTAssertEqual(stats.bind.endpoint(on: config.nodes[1])?.description, "10.0.0.2:8404")
        XCTAssertNil(stats.bind.endpoint(on: nil))
    }

    func testAddressBindAndAuth() throws {
        let yaml = minimalConfig("stats:\n  bind: \"[::1]:8404\"\n  auth: { user: admin, password: \"p:w\" }")
        let stats = try XCTUnwrap(parseValid(yaml)?.stats)
        XCTAssertEqual(stats.bind.endpoint(on: nil)?.description, "[::1]:8404")
        XCTAssertEqual(stats.credentials, StatsCredentials(user: "admin", password: "p:w"))
    }

    func testPeerEndpointsFollowTheBind() throws {
        func peers(_ stats: String, this index: Int? = 0) throws -> [String] {
            let config = try XCTUnwrap(parseValid(minimalConfig(cluster + "\nstats: " + stats)))
            let this = index.map { config.nodes[$0] }
            return try XCTUnwrap(config.stats).peerEndpoints(nodes: config.nodes, this: this).map { "\($0.node)@\($0.endpoint)" }
        }
        XCTAssertEqual(try peers(#"{ bind: "node:8404" }"#), ["ha1@10.0.0.2:8404"])
        XCTAssertEqual(try peers(#"{ bind: "node:8404" }"#, this: 1), ["ha0@10.0.0.1:8404"])
        XCTAssertEqual(try peers(#"{ bind: "0.0.0.0:9000" }"#), ["ha1@10.0.0.2:9000"], "a wildcard bind: the same port on every node")
        XCTAssertEqual(try peers(#"{ bind: "[::]:9000" }"#), ["ha1@10.0.0.2:9000"])
        XCTAssertEqual(try peers(#"{ bind: "127.0.0.1:8404" }"#), [], "loopback says nothing of the other nodes' listeners")
        XCTAssertEqual(try peers(#"{ bind: "10.0.0.1:8404" }"#), [], "one fixed address: no peers")
        XCTAssertEqual(try peers(#"{ bind: "node:8404", peers: false }"#), [])
        XCTAssertEqual(try peers(#"{ bind: "node:8404" }"#, this: nil), [], "this node unknown")
        XCTAssertEqual(try XCTUnwrap(parseValid(minimalConfig(cluster + "\nstats: { bind: \"node:1\", peers: true }"))?.stats?.showsPeers), true)
        assertSingleError(
            minimalConfig(cluster + "\nstats: { bind: \"node:8404\", peers: sometimes }"), line: 11, column: 36,
            keyPath: "stats.peers", message: #"expected a boolean (true or false), got "sometimes""#)
    }

    func testNoStatsSection() {
        XCTAssertNil(parseValid(minimalConfig())?.stats)
    }

    func testNodeBindNeedsACluster() {
        assertSingleError(
            minimalConfig("stats: { bind: \"node:8404\" }"), line: 7, column: 16, keyPath: "stats.bind",
            message: #""node:8404" needs cluster.nodes, which is not set"#)
    }

    func testBadBinds() {
        let cases: [(String, String)] = [
            ("node:http", #"invalid bind "node:http": use node:PORT (e.g. node:8404) or an address and port"#),
            ("node:+80", #"invalid bind "node:+80": use node:PORT (e.g. node:8404) or an address and port"#),
            ("node:0", "port 0 is out of range: must be between 1 and 65535"),
            ("node:70000", "port 70000 is out of range: must be between 1 and 65535"),
            ("localhost:8404", #"invalid address "localhost:8404": must be an IP address and port like 192.168.2.232:22 or [2001:db8::1]:22"#),
            ("127.0.0.1:0", "port 0 is out of range: must be between 1 and 65535"),
        ]
        for (bind, message) in cases {
            let yaml = minimalConfig(cluster + "\nstats: { bind: \"\(bind)\" }")
            assertSingleError(yaml, line: 11, column: 16, keyPath: "stats.bind", message: message)
        }
    }

    func testBindClashingWithAListener() {
        assertSingleError(
            minimalConfig("stats: { bind: \"127.0.0.1:2222\" }"), line: 7, column: 16, keyPath: "stats.bind",
            message: #"bind 127.0.0.1:2222 clashes with listener "ssh" (127.0.0.1:2222): use another port"#)
        let wildcard = """
            listeners:
              web: { bind: 0.0.0.0:8404, pool: web }
            pools:
              web: { servers: [{ address: 10.0.0.9:80 }] }
            \(cluster)
            stats: { bind: "node:8404" }
            """
        assertSingleError(
            wildcard, line: 9, column: 16, keyPath: "stats.bind",
            message: #"bind 10.0.0.1:8404 clashes with listener "web" (0.0.0.0:8404): use another port"#)
    }

    func testStructureErrors() {
        XCTAssertEqual(
            configErrors(minimalConfig("stats: { port: 8404 }")).map(\.description),
            [
                #"vipd.yaml:7:1: stats: missing required key "bind""#,
                #"vipd.yaml:7:10: stats.port: unknown key "port" (allowed keys: bind, auth, peers)"#,
            ])
        XCTAssertEqual(
            configErrors(minimalConfig("stats: { bind: 127.0.0.1:8404, auth: { user: \"a:b\" } }")).map(\.description),
            [
                #"vipd.yaml:7:38: stats.auth: missing required key "password""#,
                #"vipd.yaml:7:46: stats.auth.user: a user name cannot contain ":" (HTTP basic authentication)"#,
            ])
        XCTAssertEqual(
            configErrors(minimalConfig("stats: { bind: 127.0.0.1:8404, auth: { user: admin, password: '' } }")).map(\.description),
            [#"vipd.yaml:7:63: stats.auth.password: must not be empty"#])
        XCTAssertEqual(
            configErrors(minimalConfig("stats: node:8404")).map(\.description),
            [#"vipd.yaml:7:8: stats: expected a mapping, got "node:8404""#])
    }
}
