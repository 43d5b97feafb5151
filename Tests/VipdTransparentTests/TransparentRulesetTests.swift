import VipdConfig
import VipdCore
import XCTest

@testable import VipdTransparent

/// What transparent proxying asks of the kernel, as text: the nftables table, the rules and the routes.
final class TransparentRulesetTests: XCTestCase {
    private let configuration = VipdConfiguration(
        nodes: [
            ClusterNode(name: "ha0", address: IPAddress("10.0.0.11")!, address6: IPAddress("fd00::11")!),
            ClusterNode(name: "ha1", address: IPAddress("10.0.0.12")!, address6: IPAddress("fd00::12")!),
            ClusterNode(name: "ha2", address: IPAddress("10.0.0.13")!),
        ],
        global: GlobalSettings(),
        listeners: [ListenerConfig(name: "ssh", bind: SocketEndpoint(address: IPAddress("10.0.0.100")!, port: 22), pool: "ssh")],
        pools: [
            PoolConfig(name: "ssh", servers: nodeServers(port: 22), transparent: true),
            PoolConfig(name: "plain", servers: nodeServers(port: 80)),
        ])

    private static func nodeServers(port: Int) -> [ServerConfig] {
        [("ha0", "10.0.0.11", "fd00::11"), ("ha1", "10.0.0.12", "fd00::12"), ("ha2", "10.0.0.13", nil)].map { name, v4, v6 in
            var server = ServerConfig(name: name, endpoint: SocketEndpoint(address: IPAddress(v4)!, port: port))
            server.nodeEndpoints = [v4, v6].compactMap { $0 }.map { SocketEndpoint(address: IPAddress($0)!, port: port) }
            return server
        }
    }

    private var ha1: ClusterNode { configuration.nodes[1] }

    func testThePlanServesThisNodesOwnTransparentEndpointsAndNamesEveryPeerByItsPlaceInTheCluster() throws {
        let ruleset = try XCTUnwrap(
            TransparentRuleset(
                configuration: configuration, node: ha1,
                linkAddresses: [IPAddress("10.0.0.11")!: ["aa:00:00:00:00:11"], IPAddress("fd00::11")!: ["aa:00:00:00:00:11"]]))
        XCTAssertEqual(ruleset.services.map(\.description), ["10.0.0.12:22", "[fd00::12]:22"], "only transparent pools, only this node")
        XCTAssertEqual(ruleset.peers.map(\.name), ["ha0", "ha2"])
        XCTAssertEqual(ruleset.peers.map(\.index), [1, 3])
        XCTAssertEqual(ruleset.peers[0].linkAddresses, ["aa:00:00:00:00:11"], "one MAC, however many of the peer's addresses show it")
        XCTAssertEqual(ruleset.peers[1].linkAddresses, [])
    }

    func testNoTransparentPoolNoPlan() {
        var plain = configuration
        plain.pools = [configuration.pools[1]]
        XCTAssertNil(TransparentRuleset(configuration: plain, node: ha1, linkAddresses: [:]))
    }

    func testTheScriptReplacesTheTableAtomicallyAndDeliversRepliesToTransparentSockets() {
        let script = TransparentRuleset(services: [], peers: []).script(sessionServer: nil)
        XCTAssertTrue(script.hasPrefix("table inet vipd_transparent\ndelete table inet vipd_transparent\ntable inet vipd_transparent {\n"), script)
        XCTAssertTrue(script.contains("comment \"vipd: transparent proxying\"\n"), script)
        XCTAssertTrue(script.contains("type filter hook prerouting priority mangle; policy accept;"))
        XCTAssertTrue(script.contains("meta l4proto tcp socket transparent 1 meta mark set meta mark | 0x01000000"))
        XCTAssertTrue(script.contains("type route hook output priority mangle; policy accept;"), "a changed mark routes again")
        XCTAssertTrue(script.contains("ct state new meta mark & 0x00800000 == 0x00800000 ct mark set ct mark | 0x01000000"))
        XCTAssertTrue(script.contains("ct direction reply ct mark & 0x01000000 == 0x01000000 meta mark set meta mark | 0x01000000"))
        XCTAssertFalse(script.contains("ether saddr"))
    }

    func testConnectionsFromAPeersLinkAddressToThisNodesServersAreTaggedWithThePeerAndRepliesFollowTheTag() {
        let peer = TransparentPeer(
            name: "ha0", index: 1, addresses: [IPAddress("10.0.0.11")!], linkAddresses: ["aa:00:00:00:00:11", "aa:00:00:00:00:12"])
        let script = TransparentRuleset(
            services: [SocketEndpoint(address: IPAddress("10.0.0.12")!, port: 22), SocketEndpoint(address: IPAddress("fd00::12")!, port: 22)],
            peers: [peer]
        ).script(sessionServer: 4242)
        XCTAssertTrue(
            script.contains(
                "ct state new ether saddr { aa:00:00:00:00:11, aa:00:00:00:00:12 } ip daddr . tcp dport { 10.0.0.12 . 22 } ct mark set ct mark | 0x02000000 comment \"from ha0\""),
            script)
        XCTAssertTrue(script.contains("ip6 daddr . tcp dport { fd00::12 . 22 } ct mark set ct mark | 0x02000000"), script)
        XCTAssertTrue(
            script.contains("ct direction reply ct mark & 0x3e000000 == 0x02000000 meta mark set meta mark & 0xc1ffffff | 0x02000000 comment \"ha0\""),
            script)
        XCTAssertTrue(script.contains("comment \"vipd: transparent proxying; session server pid 4242\""))
    }

    func testAPeerWhoseLinkAddressIsNotKnownYetHasItsReturnRouteButNoTagging() {
        let peer = TransparentPeer(name: "ha2", index: 3, addresses: [IPAddress("10.0.0.13")!], linkAddresses: [])
        let ruleset = TransparentRuleset(services: [SocketEndpoint(address: IPAddress("10.0.0.12")!, port: 22)], peers: [peer])
        XCTAssertFalse(ruleset.script(sessionServer: nil).contains("ether saddr"))
        XCTAssertTrue(ruleset.routes.contains(PolicyRoute(family: .v4, table: 9253, target: .via(IPAddress("10.0.0.13")!))))
    }

    func testRulesAndRoutesInBothFamiliesCarryVipdsProtocol() throws {
        let ruleset = try XCTUnwrap(TransparentRuleset(configuration: configuration, node: ha1, linkAddresses: [:]))
        XCTAssertEqual(
            ruleset.rules.map { $0.arguments("add").joined(separator: " ") },
            [
                "-4 rule add fwmark 0x1000000/0x1000000 lookup 9250 priority 9250 protocol 239",
                "-4 rule add fwmark 0x2000000/0x3e000000 lookup 9251 priority 9250 protocol 239",
                "-4 rule add fwmark 0x6000000/0x3e000000 lookup 9253 priority 9250 protocol 239",
                "-6 rule add fwmark 0x1000000/0x1000000 lookup 9250 priority 9250 protocol 239",
                "-6 rule add fwmark 0x2000000/0x3e000000 lookup 9251 priority 9250 protocol 239",
                "-6 rule add fwmark 0x6000000/0x3e000000 lookup 9253 priority 9250 protocol 239",
            ])
        XCTAssertEqual(
            ruleset.routes.map { $0.arguments("replace").joined(separator: " ") },
            [
                "-4 route replace local default dev lo table 9250 proto 239",
                "-6 route replace local default dev lo table 9250 proto 239",
                "-4 route replace default via 10.0.0.11 table 9251 proto 239",
                "-6 route replace default via fd00::11 table 9251 proto 239",
                "-4 route replace default via 10.0.0.13 table 9253 proto 239",
            ])
    }

    func testTheHealthChecksSourceIsRoutedOnThePeersLinkAfterTheMarkRules() {
        let ruleset = TransparentRuleset(services: [], peers: [], probeInterfaces: [.v4: "eth0", .v6: "eth1"])
        let rules = ruleset.rules.map { $0.arguments("add").joined(separator: " ") }
        XCTAssertTrue(rules.contains("-4 rule add to 169.254.0.1 lookup 9249 priority 9251 protocol 239"), "\(rules)")
        XCTAssertTrue(rules.contains("-6 rule add to 100::1 lookup 9249 priority 9251 protocol 239"), "\(rules)")
        let routes = ruleset.routes.map { $0.arguments("replace").joined(separator: " ") }
        XCTAssertTrue(routes.contains("-4 route replace 169.254.0.1 dev eth0 table 9249 proto 239"), "\(routes)")
        XCTAssertTrue(routes.contains("-6 route replace 100::1 dev eth1 table 9249 proto 239"), "\(routes)")
        XCTAssertFalse(
            TransparentRuleset(services: [], peers: []).rules.contains { if case .destination = $0.selector { true } else { false } },
            "no probe rule without an interface to route it on")
    }

    func testTheListingsOfIproute2AreReadBackToTheSameRulesAndRoutes() throws {
        // As `ip -j -4 rule show` and `ip -j -4 route show table all proto 239` print them (iproute2 6.1).
        let rules = """
            [{"priority":0,"src":"all","table":"local"},{"priority":9250,"src":"all","fwmark":"0x1000000","fwmask":"0x1000000","table":"9250","protocol":"239"},\
            {"priority":9250,"src":"all","fwmark":"0x2000000","fwmask":"0x3e000000","table":"9251","protocol":"239"},\
            {"priority":9251,"src":"all","dst":"169.254.0.1","table":"9249","protocol":"239"},\
            {"priority":100,"src":"all","fwmark":"0x1","table":"100"},{"priority":32766,"src":"all","table":"main"}]
            """
        XCTAssertEqual(
            PolicyRoutingListing.rules(inJSON: rules, family: .v4),
            [
                PolicyRule(family: .v4, selector: .mark(0x0100_0000, mask: 0x0100_0000), table: 9250),
                PolicyRule(family: .v4, selector: .mark(0x0200_0000, mask: 0x3e00_0000), table: 9251),
                PolicyRule(family: .v4, selector: .destination(IPAddress("169.254.0.1")!), table: 9249),
            ], "another's rule without protocol 239 is not vipd's")
        let routes = """
            [{"type":"local","dst":"default","dev":"lo","table":"9250","scope":"host","flags":[]},\
            {"dst":"default","gateway":"10.0.0.11","dev":"eth0","table":"9251","flags":[]},\
            {"dst":"169.254.0.1","dev":"eth0","table":"9249","scope":"link","flags":[]},\
            {"dst":"10.9.0.0/16","gateway":"10.0.0.1","dev":"eth0","table":"9251","flags":[]}]
            """
        XCTAssertEqual(
            PolicyRoutingListing.routes(inJSON: routes, family: .v4),
            [
                PolicyRoute(family: .v4, table: 9250, target: .local),
                PolicyRoute(family: .v4, table: 9251, target: .via(IPAddress("10.0.0.11")!)),
                PolicyRoute(family: .v4, table: 9249, destination: IPAddress("169.254.0.1")!, target: .device("eth0")),
            ], "a route to a prefix is not of a shape vipd adds")
        XCTAssertEqual(PolicyRoutingListing.routes(inJSON: "not json", family: .v6), [])
        XCTAssertEqual(PolicyRoutingListing.rules(inJSON: "[{\"fwmark\": 3, \"protocol\": \"239\"}]", family: .v6), [])
    }
}
