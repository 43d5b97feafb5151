import VipdConfig
import VipdCore
import VipdNet
import XCTest

@testable import VipdDoctor

/// What `vipd doctor` says about transparent proxying on ha0, for each host: the tools, the other
/// nodes on a shared link with known MAC addresses, vipd's tables and rule priority, and eth0's
/// reverse-path settings.
final class TransparentProxyCheckTests: XCTestCase {
    private let ha0 = ClusterNode(name: "ha0", address: IPAddress("10.0.0.11")!, address6: IPAddress("fd00::11")!)

    private func config(transparent: Bool = true, ha1Address6: String = "fd00::12") -> VipdConfiguration {
        VipdConfiguration(
            nodes: [ha0, ClusterNode(name: "ha1", address: IPAddress("10.0.0.12")!, address6: IPAddress(ha1Address6)!)], global: GlobalSettings(),
            listeners: [ListenerConfig(name: "ssh", bind: SocketEndpoint(parsing: "10.0.0.100:22")!, pool: "ssh")],
            pools: [
                PoolConfig(
                    name: "ssh", servers: [ServerConfig(name: "ha0", endpoint: SocketEndpoint(parsing: "10.0.0.11:22")!)],
                    transparent: transparent)
            ])
    }

    private let network = HostNetwork(
        interfaces: [
            NetworkInterface(name: "lo", index: 1, hardwareAddress: [], isAdministrativelyUp: true, hasCarrier: true, mtu: 65536, operationalState: .unknown),
            NetworkInterface(
                name: "eth0", index: 2, hardwareAddress: [2, 0, 0, 0, 0, 11], isAdministrativelyUp: true, hasCarrier: true, mtu: 1500,
                operationalState: .up),
        ],
        addresses: [
            InterfaceAddress(prefix: IPPrefix(parsing: "127.0.0.1/8")!, interfaceIndex: 1),
            InterfaceAddress(prefix: IPPrefix(parsing: "10.0.0.11/24")!, interfaceIndex: 2),
            InterfaceAddress(prefix: IPPrefix(parsing: "10.0.0.100/32")!, interfaceIndex: 2),
            InterfaceAddress(prefix: IPPrefix(parsing: "fd00::11/64")!, interfaceIndex: 2),
        ],
        hostname: "ha0")

    private let ownRules = """
        0:\tfrom all lookup local
        9250:\tfrom all fwmark 0x1000000/0x1000000 lookup 9250 proto 239
        9250:\tfrom all fwmark 0x4000000/0x3e000000 lookup 9252 proto 239
        32766:\tfrom all lookup main
        32767:\tfrom all lookup default
        """

    private func host(
        vipdRuns: Bool = false, neighbours: [Neighbour] = [], rules: String? = nil, routes: [(UInt32, String)] = [],
        all: TransparentProxyCheck.Host.ReversePath = .init(rpFilter: 0, srcValidMark: 0, acceptLocal: 0),
        eth0: TransparentProxyCheck.Host.ReversePath = .init(rpFilter: 1, srcValidMark: 0, acceptLocal: 0)
    ) -> TransparentProxyCheck.Host {
        TransparentProxyCheck.Host(
            hasNft: true, hasIp: true, hasVipdTable: vipdRuns, neighbours: neighbours,
            rules: PolicyRoutingEntry.rules(inListing: rules ?? ownRules, family: .v4),
            routes: routes.flatMap { PolicyRoutingEntry.routes(inListing: $0.1, family: .v4, table: $0.0) },
            reversePath: ["all": all, "eth0": eth0])
    }

    private let ha1MAC = Neighbour(address: IPAddress("10.0.0.12")!, interfaceIndex: 2, linkAddress: [2, 0, 0, 0, 0, 12], state: 0x02)

    private func results(_ host: TransparentProxyCheck.Host, config: VipdConfiguration? = nil) -> [DoctorCheckResult] {
        TransparentProxyCheck.results(config: config ?? self.config(), node: ha0, network: network, host: host)
    }

    func testNothingToSayWithoutATransparentPool() {
        XCTAssertEqual(results(host(), config: config(transparent: false)), [])
    }

    func testOneSegmentWithTheMACKnownPassesLineByLine() {
        let lines = results(host(vipdRuns: true, neighbours: [ha1MAC], routes: [(9250, "local default dev lo proto 239 scope host")]))
        XCTAssertEqual(lines.map(\.status), [.pass, .pass, .pass, .pass, .pass], "\(lines)")
        XCTAssertEqual(
            lines.map(\.title),
            [
                "nft and ip are installed for transparent proxying",
                "node ha1 shares a link with this node for transparent replies",
                "node ha1's link-layer address is known for transparent proxying",
                "route tables 9249-9281 and rule priorities 9250-9251 are vipd's alone",
                "eth0 lets transparent replies from the other nodes in",
            ])
        XCTAssertEqual(lines[1].detail, "10.0.0.12 is inside eth0's 10.0.0.11/24; fd00::12 is inside eth0's fd00::11/64 (table 9252 leads to it)")
        XCTAssertEqual(lines[2].detail, "10.0.0.12 lladdr 02:00:00:00:00:0c on eth0: connections from it to this node's servers are recognised")
        XCTAssertEqual(lines[3].detail, "vipd's own now: nftables table inet vipd_transparent, 2 rule(s), 1 route(s)")
        XCTAssertEqual(
            lines[4].detail, "rp_filter 1 (all 0, eth0 1), src_valid_mark 0: vipd changes neither; transparent proxying works with rp_filter 0, 1 and 2")
    }

    func testMissingToolsFailWithTheirPackages() {
        var missing = host()
        missing.hasNft = false
        missing.hasIp = false
        let tools = results(missing)[0]
        XCTAssertEqual(tools.status, .fail)
        XCTAssertEqual(tools.fix, "apt-get install nftables iproute2")
        XCTAssertFalse(results(missing).contains { $0.title.hasPrefix("route tables") }, "nothing to read the tables with")
    }

    func testAPeerAddressOffEveryLinkFailsAndItsMACIsNotAskedFor() {
        let lines = results(host(), config: config(ha1Address6: "fd00:99::12"))
        let onLink = lines.first { $0.title == "node ha1 shares a link with this node for transparent replies" }
        XCTAssertEqual(onLink?.status, .fail)
        XCTAssertTrue(onLink?.detail.hasPrefix("fd00:99::12 is in no subnet of this host's interfaces") ?? false, onLink?.detail ?? "")
        XCTAssertTrue(onLink?.detail.contains("(table 9252)") ?? false, "ha1 is the second node")
        XCTAssertFalse(lines.contains { $0.title.contains("link-layer address") })
    }

    func testAnUnknownMACIsNewsBeforeVipdRunsAndAWarningWhileItRuns() {
        let failed = Neighbour(address: IPAddress("10.0.0.12")!, interfaceIndex: 2, linkAddress: nil, state: 0x20)
        let before = results(host(neighbours: [failed]))[2]
        XCTAssertEqual(before.status, .pass)
        XCTAssertEqual(
            before.detail, "not yet (10.0.0.12 FAILED on eth0): vipd asks the kernel to resolve it at start, and every second until it is known")
        let running = results(host(vipdRuns: true))[2]
        XCTAssertEqual(running.status, .warn)
        XCTAssertTrue(running.detail.hasPrefix("no entry for 10.0.0.12 or fd00::12, although vipd asks for it every second"), running.detail)
        XCTAssertEqual(running.fix, "check that ha1 is up on the segment it shares with this node: ping -c 1 10.0.0.12; ip neigh show 10.0.0.12")
    }

    func testOtherProgramsRoutesAndRulesInVipdsPlacesWarnWithTheirRemoval() {
        let rules = ownRules + "\n9250:\tfrom 10.0.0.0/24 lookup 100\n100:\tfrom all iif wg0 [detached] lookup 9260 proto static"
        let lines = results(host(rules: rules, routes: [(9251, "default via 10.0.0.1 dev eth0 proto static"), (9252, "blackhole 10.9.0.0/16")]))
        let tables = lines[3]
        XCTAssertEqual(tables.status, .warn)
        XCTAssertEqual(
            tables.detail.split(separator: "\n").dropFirst().prefix(4),
            [
                "  9250: from 10.0.0.0/24 lookup 100", "  100: from all iif wg0 [detached] lookup 9260 proto static",
                "  table 9251: default via 10.0.0.1 dev eth0 proto static", "  table 9252: blackhole 10.9.0.0/16",
            ])
        XCTAssertTrue(
            tables.fix.hasSuffix(
                "ip -4 rule del priority 9250 from 10.0.0.0/24 lookup 100; ip -4 rule del priority 100 from all iif wg0 lookup 9260 proto static; "
                    + "ip -4 route del default table 9251; ip -4 route del blackhole 10.9.0.0/16 table 9252"), tables.fix)
    }

    func testNothingOfVipdsIsNewsToo() {
        let tables = results(host(rules: "0:\tfrom all lookup local\n32766:\tfrom all lookup main"))[3]
        XCTAssertEqual(tables.status, .pass)
        XCTAssertEqual(tables.detail, "nothing of vipd's now (vipd is not running here; it adds them at start)")
    }

    func testSrcValidMarkWarnsUnlessAcceptLocalWithALooseOrNoReversePathFilter() {
        let marked = results(host(all: .init(rpFilter: 0, srcValidMark: 1, acceptLocal: 0)))[4]
        XCTAssertEqual(marked.status, .warn)
        XCTAssertTrue(
            marked.detail.hasPrefix("src_valid_mark 1 (all 1, eth0 0), accept_local 0 (all 0, eth0 0), rp_filter 1 (all 0, eth0 1): "), marked.detail)
        XCTAssertEqual(
            marked.fix,
            "sysctl -w net.ipv4.conf.all.src_valid_mark=0 (and in /etc/sysctl.d/); where another program needs src_valid_mark (wg-quick sets it): "
                + "sysctl -w net.ipv4.conf.eth0.accept_local=1 net.ipv4.conf.eth0.rp_filter=2")

        let acceptedLoosely = results(
            host(all: .init(rpFilter: 0, srcValidMark: 1, acceptLocal: 0), eth0: .init(rpFilter: 2, srcValidMark: 0, acceptLocal: 1)))[4]
        XCTAssertEqual(acceptedLoosely.status, .pass)
        XCTAssertTrue(acceptedLoosely.detail.hasSuffix(": the reverse-path check lets the replies in"), acceptedLoosely.detail)

        let acceptedStrictly = results(
            host(all: .init(rpFilter: 1, srcValidMark: 0, acceptLocal: 1), eth0: .init(rpFilter: 0, srcValidMark: 1, acceptLocal: 0)))[4]
        XCTAssertEqual(acceptedStrictly.status, .warn)
        XCTAssertTrue(acceptedStrictly.fix.hasPrefix("sysctl -w net.ipv4.conf.eth0.src_valid_mark=0 "), acceptedStrictly.fix)
    }
}
