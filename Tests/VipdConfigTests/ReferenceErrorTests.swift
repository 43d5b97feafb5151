import VipdConfig
import XCTest

/// Errors between sections and entries: pool references, conflicting binds, duplicate servers and nodes.
final class ReferenceErrorTests: XCTestCase {
    func testDanglingPoolReference() {
        let yaml = """
            listeners:
              a: { bind: 127.0.0.1:80, pool: web }
            pools:
              ssh: { servers: [{ address: 10.0.0.1:22 }] }
              db: { servers: [{ address: 10.0.0.1:5432 }] }
            """
        assertSingleError(
            yaml, line: 2, column: 34, keyPath: "listeners.a.pool",
            message: #"no pool named "web" in pools (defined: ssh, db)"#)
    }

    func testDuplicateBinds() {
        let yaml = """
            listeners:
              a: { bind: 127.0.0.1:80, pool: p }
              b: { bind: 127.0.0.1:80, pool: p }
              c: { bind: 0.0.0.0:80, pool: p }
              d: { bind: 0.0.0.0:443, pool: p }
              e: { bind: 10.0.0.1:443, pool: p }
              f: { bind: "[::1]:80", pool: p }
              g: { bind: "[::]:443", pool: p }
              h: { bind: "[0::1]:80", pool: p }
              i: { bind: 127.0.0.1:81, pool: p }
            pools:
              p: { servers: [{ address: 10.0.0.1:80 }] }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:3:14: listeners.b.bind: bind 127.0.0.1:80 is already used by listener "a" (127.0.0.1:80)"#,
                #"vipd.yaml:4:14: listeners.c.bind: bind 0.0.0.0:80 overlaps (wildcard address) with listener "a" (127.0.0.1:80)"#,
                #"vipd.yaml:6:14: listeners.e.bind: bind 10.0.0.1:443 overlaps (wildcard address) with listener "d" (0.0.0.0:443)"#,
                #"vipd.yaml:9:14: listeners.h.bind: bind [::1]:80 is already used by listener "f" ([::1]:80)"#,
            ])
    }

    func testDuplicateServers() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p:
                servers:
                  - { name: one, address: 10.0.0.1:80 }
                  - { name: one, address: 10.0.0.2:80 }
                  - { address: 10.0.0.3:80 }
                  - { address: 10.0.0.3:80 }
                  - { name: four, address: 10.0.0.1:80 }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:6:17: pools.p.servers[1].name: duplicate server name "one" in this pool"#,
                #"vipd.yaml:8:20: pools.p.servers[3].name: duplicate server name "10.0.0.3:80" in this pool"#,
                #"vipd.yaml:9:32: pools.p.servers[4].address: address 10.0.0.1:80 is already used by server "one" in this pool"#,
            ])
    }

    func testPoolWithoutServers() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p: { servers: [] }
              q: { servers: nodes }
              r: { servers: ~ }
              s: { servers: nodes:0 }
            cluster: { nodes: { ha0: { address: 10.0.0.1 } } }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                "vipd.yaml:3:17: pools.p.servers: a pool needs at least one server",
                #"vipd.yaml:4:17: pools.q.servers: invalid servers "nodes": use "nodes:PORT" (e.g. nodes:22) or a list of servers"#,
                #"vipd.yaml:5:17: pools.r.servers: expected "nodes:PORT" or a list of servers, got an empty value"#,
                "vipd.yaml:6:17: pools.s.servers: port 0 is out of range: must be between 1 and 65535",
            ])
    }

    func testNodesShorthandNeedsClusterNodes() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p: { servers: nodes:22 }
            """
        assertSingleError(
            yaml, line: 3, column: 17, keyPath: "pools.p.servers",
            message: #""nodes:22" needs cluster.nodes, which is not set"#)
    }

    func testDuplicateNodeAddressesAndEmptyNodes() {
        let yaml = minimalConfig("cluster:\n  nodes:\n    ha0: { address: 10.0.0.1 }\n    ha1: { address: 10.0.0.1 }")
        assertSingleError(
            yaml, line: 10, column: 21, keyPath: "cluster.nodes.ha1.address",
            message: #"address 10.0.0.1 is already used by node "ha0""#)
        assertSingleError(
            minimalConfig("cluster: { nodes: {} }"), line: 7, column: 19, keyPath: "cluster.nodes",
            message: "cluster.nodes must list at least one node")
    }

    func testAtLeastOneListener() {
        assertSingleError(
            "listeners: {}\npools: {}\n", line: 1, column: 12, keyPath: "listeners",
            message: "at least one listener is needed")
    }
}
