import VipdDoctor
import XCTest

/// The firewall analyzer on rules added with the real iptables / ip6tables (nf_tables backend)
/// in a throwaway namespace and read back with iptables-save, as `vipd doctor` reads them.
final class IptablesAnalysisTests: XCTestCase {
    func testADropOfVRRPIsNamedByItsIptablesSaveLine() throws {
        let lab = try FirewallLab()
        try lab.iptables("-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT")
        try lab.iptables("-A INPUT -i eth1 -p vrrp -j ACCEPT")
        try lab.iptables("-A INPUT -s 10.251.1.0/24 -p vrrp -j DROP")
        let outcome = try lab.outcome()
        guard case .rule(let location)? = outcome.drop else { return XCTFail("not dropped: \(outcome)") }
        XCTAssertEqual(location.table, FirewallTableName(tool: .iptables, family: "ip", name: "filter"))
        XCTAssertEqual(location.rule.text, "-A INPUT -s 10.251.1.0/24 -p vrrp -j DROP")
        XCTAssertEqual(location.rule.position, 3)
        XCTAssertEqual(outcome.undecided, [], "the nft view of iptables-nft's table (xt matches) is replaced by iptables-save's")
        let fix = FirewallCheck.fix(for: .rule(location), firewalld: false).split(separator: "\n").map(String.init)
        XCTAssertEqual(fix[0], "iptables -t filter -I INPUT 3 -p vrrp -j ACCEPT")
        XCTAssertEqual(fix[1], "or remove the rule: iptables -t filter -D INPUT -s 10.251.1.0/24 -p vrrp -j DROP")
        try lab.command(fix[0])
        XCTAssertNil(try lab.outcome().drop)
    }

    func testDropPolicyAndRejectInAUserChain() throws {
        let lab = try FirewallLab()
        try lab.iptables("-P INPUT DROP")
        let outcome = try lab.outcome()
        XCTAssertEqual(outcome.drop, .policy(table: FirewallTableName(tool: .iptables, family: "ip", name: "filter"), chain: "INPUT"))
        try lab.iptables("-N VRRP")
        try lab.iptables("-A INPUT -p 112 -m comment --comment vrrp -j VRRP")
        try lab.iptables("-A VRRP -d 224.0.0.18/32 -j REJECT --reject-with icmp-host-prohibited")
        guard case .rule(let location)? = try lab.outcome().drop else { return XCTFail("not rejected") }
        XCTAssertEqual(location.chain, "VRRP")
        XCTAssertEqual(location.rule.action, .reject)
        try lab.iptables("-I VRRP -m state --state NEW -j ACCEPT")
        XCTAssertNil(try lab.outcome().drop, "the advert is a new connection for conntrack")
    }

    func testRawPreroutingDropAndIp6tables() throws {
        let lab = try FirewallLab()
        try lab.iptables("-t raw -A PREROUTING -i eth+ -p vrrp -j DROP")
        guard case .rule(let location)? = try lab.outcome().drop else { return XCTFail("not dropped") }
        XCTAssertEqual(location.table.name, "raw")
        try lab.ip6tables("-A INPUT -p vrrp -j DROP")
        guard case .rule(let location6)? = try lab.outcome(FirewallLab.advert6).drop else { return XCTFail("IPv6 not dropped") }
        XCTAssertEqual(location6.table.tool, .ip6tables)
        XCTAssertEqual(location6.description, "ip6tables-save -t filter: -A INPUT -p vrrp -j DROP")
    }

    func testAnUnknownMatchMakesTheDropUndecided() throws {
        let lab = try FirewallLab()
        try lab.iptables("-A INPUT -p vrrp -m ttl --ttl-lt 255 -j DROP")
        let outcome = try lab.outcome()
        XCTAssertNil(outcome.drop)
        XCTAssertEqual(outcome.undecided.map(\.rule.text), ["-A INPUT -p vrrp -m ttl --ttl-lt 255 -j DROP"])
    }
}
