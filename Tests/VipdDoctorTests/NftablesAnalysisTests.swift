import VipdConfig
import VipdDoctor
import XCTest

/// The firewall analyzer on rulesets loaded with the real `nft` in a throwaway namespace and read
/// back with `nft -j -a list ruleset`, as `vipd doctor` reads them.
final class NftablesAnalysisTests: XCTestCase {
    private func droppingRule(_ outcome: FirewallOutcome, file: StaticString = #filePath, line: UInt = #line) -> FirewallRuleLocation? {
        guard case .rule(let location)? = outcome.drop else {
            XCTFail("expected a dropping rule, got \(outcome)", file: file, line: line)
            return nil
        }
        return location
    }

    func testNoFirewallLetsVRRPIn() throws {
        let lab = try FirewallLab()
        XCTAssertEqual(try lab.outcome(), FirewallOutcome(drop: nil))
    }

    func testAcceptAllLetsVRRPIn() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input { type filter hook input priority 0; policy accept; tcp dport 22 accept; counter; }
            }
            """)
        XCTAssertEqual(try lab.outcome(), FirewallOutcome(drop: nil))
    }

    func testDropPolicyWithoutAVRRPAcceptIsNamed() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input { type filter hook input priority 0; policy drop; ct state established,related accept; tcp dport 22 accept; }
            }
            """)
        let outcome = try lab.outcome()
        XCTAssertEqual(outcome.drop, .policy(table: FirewallTableName(tool: .nftables, family: "inet", name: "filter"), chain: "input"))
        XCTAssertEqual(outcome.undecided, [])
        // The fix the doctor prints works.
        try lab.command("nft add rule inet filter input meta l4proto vrrp accept")
        XCTAssertNil(try lab.outcome().drop)
    }

    func testDropPolicyWithAVRRPAcceptLetsItIn() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input { type filter hook input priority 0; policy drop; ct state established,related accept; ip protocol vrrp accept; }
            }
            """)
        XCTAssertEqual(try lab.outcome(), FirewallOutcome(drop: nil))
    }

    func testADropInAnotherTableWinsWhateverItsPriority() throws {
        for priority in [-10, 10] {
            let lab = try FirewallLab()
            try lab.nft(
                """
                table inet filter {
                  chain input { type filter hook input priority 0; policy drop; meta l4proto vrrp accept; }
                }
                table ip other {
                  chain input { type filter hook input priority \(priority); policy accept; meta l4proto 112 counter drop; }
                }
                """)
            let rule = try XCTUnwrap(droppingRule(try lab.outcome()))
            XCTAssertEqual(rule.table, FirewallTableName(tool: .nftables, family: "ip", name: "other"), "priority \(priority)")
            XCTAssertEqual(rule.chain, "input")
            XCTAssertEqual(rule.rule.text, "meta l4proto vrrp counter packets 0 bytes 0 drop")
            let handle = try XCTUnwrap(rule.rule.handle)
            XCTAssertEqual(rule.description, "nftables ip other input handle \(handle): meta l4proto vrrp counter packets 0 bytes 0 drop")
            // Both fixes the doctor prints work: inserting an accept before the rule, or deleting it.
            let fix = FirewallCheck.fix(for: .rule(rule), firewalld: false).split(separator: "\n").map(String.init)
            XCTAssertEqual(fix[0], "nft insert rule ip other input position \(handle) meta l4proto vrrp accept")
            XCTAssertEqual(fix[1], "or remove the rule: nft delete rule ip other input handle \(handle)")
            try lab.command(fix[0])
            XCTAssertNil(try lab.outcome().drop)
            try lab.command("nft flush table ip other")
            try lab.command("nft add rule ip other input meta l4proto 112 drop")
            let again = try XCTUnwrap(droppingRule(try lab.outcome()))
            try lab.command("nft delete rule ip other input handle \(again.rule.handle!)")
            XCTAssertNil(try lab.outcome().drop)
        }
    }

    func testPreroutingDropIsFound() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table ip raw { chain pre { type filter hook prerouting priority -300; ip protocol vrrp drop; }; }
            """)
        XCTAssertEqual(try XCTUnwrap(droppingRule(try lab.outcome())).chain, "pre")
    }

    func testJumpGotoAndReturnAreFollowed() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input { type filter hook input priority 0; policy accept; ip daddr 224.0.0.0/4 jump multicast; }
              chain multicast { ip protocol != vrrp return; goto vrrp_in; }
              chain vrrp_in { ip saddr 10.251.1.200 accept; reject with icmp admin-prohibited; }
            }
            """)
        let rule = try XCTUnwrap(droppingRule(try lab.outcome()))
        XCTAssertEqual(rule.chain, "vrrp_in")
        XCTAssertEqual(rule.rule.action, .reject)
        XCTAssertEqual(rule.rule.text, "reject with icmp admin-prohibited")
        // A return before the goto: back in input, whose policy accepts.
        try lab.command("nft insert rule inet filter multicast ip saddr 10.251.1.12 return")
        XCTAssertNil(try lab.outcome().drop)
    }

    func testInterfaceAndSourceMatches() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input {
                type filter hook input priority 0; policy accept;
                iifname "eth1" meta l4proto vrrp drop
                iifname != "eth*" meta l4proto vrrp drop
                ip saddr != 10.251.1.0/24 meta l4proto vrrp drop
                ip saddr 10.251.1.13 meta l4proto vrrp drop
              }
            }
            """)
        XCTAssertEqual(try lab.outcome(), FirewallOutcome(drop: nil))
        try lab.command("nft add rule inet filter input iifname eth0 ip saddr 10.251.1.12 meta l4proto vrrp drop")
        XCTAssertTrue(try XCTUnwrap(droppingRule(try lab.outcome())).rule.text.hasPrefix("iifname \"eth0\" ip saddr 10.251.1.12"))
    }

    func testNamedAndAnonymousSetsAndRanges() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              set blocked { type ipv4_addr; flags interval; elements = { 10.251.1.10-10.251.1.20, 192.0.2.0/24 } }
              chain input {
                type filter hook input priority 0; policy accept;
                ip saddr { 10.251.1.1, 10.251.1.2 } drop
                meta l4proto { tcp, udp } drop
                ip saddr @blocked meta l4proto vrrp drop
              }
            }
            """)
        XCTAssertEqual(try XCTUnwrap(droppingRule(try lab.outcome())).rule.text, "ip saddr @blocked meta l4proto vrrp drop")
    }

    func testVerdictMap() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input { type filter hook input priority 0; policy accept; meta l4proto vmap { tcp : accept, vrrp : drop }; }
            }
            """)
        XCTAssertEqual(try XCTUnwrap(droppingRule(try lab.outcome())).rule.action, .drop)
    }

    func testAMatchThatCannotBeJudgedIsUndecided() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input { type filter hook input priority 0; policy accept; meta l4proto vrrp limit rate over 10/second drop; }
            }
            """)
        let outcome = try lab.outcome()
        XCTAssertNil(outcome.drop)
        XCTAssertEqual(outcome.undecided.map(\.rule.text), ["meta l4proto vrrp limit rate over 10/second drop"])
    }

    func testIPv6AdvertsAndNexthdr() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table ip6 filter {
              chain input { type filter hook input priority 0; policy accept; ip6 saddr fe80::/10 ip6 nexthdr vrrp drop; }
            }
            """)
        XCTAssertNil(try lab.outcome().drop, "an ip6 table does not see IPv4")
        XCTAssertEqual(try XCTUnwrap(droppingRule(try lab.outcome(FirewallLab.advert6))).rule.text, "ip6 saddr fe80::/10 ip6 nexthdr vrrp drop")
    }

    /// vipd on the node whose firewall drops VRRP names the dropping rule and fixes it in that
    /// rule's own table and chain (an accept in `inet filter` would not undo a drop elsewhere).
    func testTheFixOnThisNodeNamesTheDroppingTableAndChain() throws {
        let lab = try FirewallLab()
        try lab.nft(
            """
            table inet filter {
              chain input { type filter hook input priority 0; policy accept; meta l4proto vrrp accept; }
            }
            table inet vipdlab {
              chain input { type filter hook input priority 0; policy accept; meta l4proto 112 drop; }
            }
            """)
        let config = try ConfigLoader.parse(
            yaml: """
                cluster: { nodes: { ha0: { address: 10.251.1.11 }, ha1: { address: 10.251.1.12 } } }
                vrrp: { VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.251.1.100/24] } }
                listeners: { ssh: { bind: "10.251.1.100:22", pool: ssh } }
                pools: { ssh: { servers: "nodes:22" } }
                """, file: "vipd.yaml")
        let rule = try XCTUnwrap(droppingRule(try lab.outcome()))
        let handle = try XCTUnwrap(rule.rule.handle)
        let fix = try XCTUnwrap(
            FirewallCheck.dropOnThisNode(
                for: config.vrrp[0], ruleset: try lab.snapshot().ruleset(), config: config, node: config.nodes[0]))
        XCTAssertEqual(
            fix,
            "protocol 112 from 10.251.1.12 to 224.0.0.18 on eth0 is dropped on this node by a drop rule: "
                + "nftables inet vipdlab input handle \(handle): meta l4proto vrrp drop — "
                + "nft insert rule inet vipdlab input position \(handle) meta l4proto vrrp accept; "
                + "or remove the rule: nft delete rule inet vipdlab input handle \(handle); "
                + "and make it permanent in /etc/nftables.conf")
        // The printed command works.
        try lab.command("nft insert rule inet vipdlab input position \(handle) meta l4proto vrrp accept")
        XCTAssertNil(
            FirewallCheck.dropOnThisNode(
                for: config.vrrp[0], ruleset: try lab.snapshot().ruleset(), config: config, node: config.nodes[0]))
    }
}
