import VipdConfig
import VipdDoctor
import XCTest

/// The firewall check's packets and verdict lines, on rulesets given as real nft JSON text.
final class FirewallCheckTests: XCTestCase {
    private func config(unicast: Bool, vip: String = "10.251.1.100/24") throws -> VipdConfiguration {
        try ConfigLoader.parse(
            yaml: """
                cluster: { nodes: { ha0: { address: 10.251.1.11 }, ha1: { address: 10.251.1.12 }, ha2: { address: 10.251.1.13 } } }
                vrrp: { VI_1: { interface: eth0, router_id: 51, unicast: \(unicast), virtual_addresses: [\(vip)] } }
                listeners: { ssh: { bind: "10.251.1.100:22", pool: ssh } }
                pools: { ssh: { servers: "nodes:22" } }
                """, file: "vipd.yaml")
    }

    func testAdvertsComeFromEachPeerToTheGroupOrToThisNode() throws {
        let multicast = try config(unicast: false)
        let node = multicast.nodes[0]
        XCTAssertEqual(
            FirewallCheck.adverts(for: multicast.vrrp[0], config: multicast, node: node).map(\.description),
            ["protocol 112 from 10.251.1.12 to 224.0.0.18 on eth0", "protocol 112 from 10.251.1.13 to 224.0.0.18 on eth0"])
        let unicast = try config(unicast: true)
        XCTAssertEqual(
            FirewallCheck.adverts(for: unicast.vrrp[0], config: unicast, node: node).map(\.description),
            ["protocol 112 from 10.251.1.12 to 10.251.1.11 on eth0", "protocol 112 from 10.251.1.13 to 10.251.1.11 on eth0"])
    }

    /// `nft -j -a list ruleset` of firewalld's default zone, reduced to the rule that matters.
    private let firewalldJSON = """
        {"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
        {"table": {"family": "inet", "name": "firewalld", "handle": 1}},
        {"chain": {"family": "inet", "table": "firewalld", "name": "filter_INPUT", "handle": 1, "type": "filter", "hook": "input", "prio": 10, "policy": "accept"}},
        {"rule": {"family": "inet", "table": "firewalld", "chain": "filter_INPUT", "handle": 143, "expr": [{"match": {"op": "in", "left": {"ct": {"key": "state"}}, "right": ["established", "related"]}}, {"accept": null}]}},
        {"rule": {"family": "inet", "table": "firewalld", "chain": "filter_INPUT", "handle": 144, "expr": [{"reject": {"type": "icmpx", "expr": "admin-prohibited"}}]}}]}
        """

    func testARejectInFirewalldsTableFailsWithTheFirewallCmdFix() throws {
        let config = try config(unicast: false)
        let results = FirewallCheck.results(
            snapshot: FirewallSnapshot(nftablesJSON: firewalldJSON), config: config, node: config.nodes[0])
        XCTAssertEqual(results.count, 1)
        XCTAssertEqual(results[0].status, .fail)
        XCTAssertEqual(
            results[0].detail,
            "protocol 112 from 10.251.1.12 to 224.0.0.18 on eth0 is dropped by a reject rule:\n  nftables inet firewalld filter_INPUT handle 144")
        XCTAssertEqual(results[0].fix, FirewallCheck.firewalldCommand)
    }

    func testNoToolsPassesAndUnreadableToolsWarn() throws {
        let config = try config(unicast: false)
        XCTAssertEqual(FirewallCheck.results(snapshot: FirewallSnapshot(), config: config, node: config.nodes[0]).map(\.status), [.pass])
        let unreadable = FirewallSnapshot(problems: ["nft exited with status 1: Operation not permitted"])
        let result = try XCTUnwrap(FirewallCheck.results(snapshot: unreadable, config: config, node: config.nodes[0]).first)
        XCTAssertEqual(result.status, .warn)
        XCTAssertTrue(result.fix.contains("as root"), result.fix)
    }
}
