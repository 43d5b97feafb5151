import VipdConfig
import VipdCore
@testable import VipdImport
import XCTest

/// haproxy's stats page (a proxy with `stats enable` or `stats uri` and no backend) becomes vipd's
/// `stats` section when its binds say where every node listens; otherwise it is listed with the line to add.
final class HAProxyStatsTranslationTests: XCTestCase {
    /// keepalived files for the pair 192.168.2.230 (priority 100) and 192.168.2.231.
    private static let pair = [("192.168.2.230", "192.168.2.231", 100), ("192.168.2.231", "192.168.2.230", 90)].map {
        "vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\npriority \($0.2)\nunicast_src_ip \($0.0)\nunicast_peer {\n\($0.1)\n}\nvirtual_ipaddress { 192.168.2.232/24 }\n}\n"
    }

    private func importing(stats: String, keepalived: [String] = []) throws -> ImportResult {
        try Fixture.importing(haproxy: Fixture.sshProxy + "\n" + stats, keepalived: keepalived)
    }

    /// The notes about the stats proxies (haproxy.cfg from line 11, after `Fixture.sshProxy`).
    private func statsNotes(_ result: ImportResult) -> [String] {
        result.notes.filter { $0.location.file == "haproxy.cfg" && $0.location.line > 10 }.map(\.description)
    }

    /// `stats` gives no stats section, and `note` among the notes.
    private func assertNoStats(_ stats: String, note: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try importing(stats: stats)
        XCTAssertNil(result.configuration.stats, file: file, line: line)
        XCTAssertTrue(statsNotes(result).contains(note), "\(statsNotes(result))", file: file, line: line)
    }

    func testTheUsualStatsListenBecomesTheStatsSection() throws {
        let result = try importing(
            stats: """
                listen stats
                bind *:8404
                mode http
                stats enable
                stats uri /stats
                stats refresh 10s
                stats auth admin:s3cr:et
                stats auth other:pw
                stats admin if TRUE
                log global
                """)
        Fixture.assertLoads(result)
        XCTAssertEqual(
            result.configuration.stats,
            StatsConfig(
                bind: .endpoint(SocketEndpoint(address: IPAddress("0.0.0.0")!, port: 8404)),
                credentials: StatsCredentials(user: "admin", password: "s3cr:et")))
        XCTAssertTrue(result.yaml.contains("# haproxy.cfg:11 listen stats: haproxy's stats page\nstats:\n"), result.yaml)
        let lines = statsNotes(result)
        XCTAssertEqual(
            lines,
            [
                "haproxy.cfg:16: stats refresh 10s: vipd's page redraws itself every second",
                "haproxy.cfg:18: stats auth other:pw: vipd's stats listener has one user: admin is carried",
                "haproxy.cfg:19: stats admin if TRUE: vipd's page is read-only: change servers with vipd ctl drain, maint, ready and weight",
                "haproxy.cfg:20: log global: vipd's stats listener has only bind and auth; not carried",
            ])
    }

    func testBindsOnTheNodesAddressesBecomeNodePort() throws {
        let result = try importing(
            stats: "frontend stats\nbind 192.168.2.231:8404\nbind 192.168.2.230:8404\nstats enable\nstats uri /haproxy?stats\n",
            keepalived: Self.pair)
        Fixture.assertLoads(result)
        XCTAssertEqual(result.configuration.stats, StatsConfig(bind: .node(port: 8404)))
        XCTAssertEqual(
            statsNotes(result),
            ["haproxy.cfg:15: stats uri /haproxy?stats: vipd serves its page at / and /stats, beside /stats.json and /metrics"])
    }

    func testBindsElsewhereAreListedWithTheLineToAdd() throws {
        let result = try importing(stats: "frontend stats\nbind 10.0.0.1:8404\nbind 10.0.0.2:8404\nstats enable\n", keepalived: Self.pair)
        Fixture.assertLoads(result)
        XCTAssertNil(result.configuration.stats)
        let why =
            "binds 10.0.0.1, 10.0.0.2 and the nodes are 192.168.2.230, 192.168.2.231; vipd binds one address per node: add stats: { bind: \"node:8404\" } for each node's own address"
        XCTAssertEqual(
            statsNotes(result),
            [
                "haproxy.cfg:12: bind 10.0.0.1:8404: \(why)",
                "haproxy.cfg:13: bind 10.0.0.2:8404: \(why)",
                "haproxy.cfg:14: stats enable: no stats listener: its bind lines are not carried",
            ])
    }

    func testOneAddressWithoutACluster() throws {
        let result = try importing(stats: "frontend stats\nbind 192.168.2.230:8404\nstats enable\n")
        Fixture.assertLoads(result)
        XCTAssertEqual(result.configuration.stats, StatsConfig(bind: .endpoint(SocketEndpoint(address: IPAddress("192.168.2.230")!, port: 8404))))
        let clustered = try importing(stats: "frontend stats\nbind 192.168.2.230:8404\nstats enable\n", keepalived: Self.pair)
        XCTAssertNil(clustered.configuration.stats, "one node's address would fail to bind on the other")
    }

    func testAClashWithAListenerTLSAndASecondStatsProxyAreListed() throws {
        try assertNoStats(
            "frontend stats\nbind *:22\nstats enable\n",
            note: "haproxy.cfg:12: bind *:22: 0.0.0.0:22 is also listener ssh's address: add stats: { bind: … } on another port")
        try assertNoStats(
            "frontend stats\nbind 127.0.0.1:8443 ssl crt /etc/haproxy/site.pem\nstats enable\n",
            note: "haproxy.cfg:12: bind 127.0.0.1:8443 ssl crt /etc/haproxy/site.pem: vipd's stats listener is plain HTTP, and haproxy serves TLS here")

        let two = try importing(stats: "frontend stats\nbind 127.0.0.1:8404\nstats uri /\nfrontend more\nbind 127.0.0.1:9000\nstats enable\n")
        Fixture.assertLoads(two)
        XCTAssertEqual(two.configuration.stats?.bind.description, "127.0.0.1:8404")
        XCTAssertEqual(
            statsNotes(two),
            [
                "haproxy.cfg:15: bind 127.0.0.1:9000: vipd has one stats listener, the one made of the first stats proxy (bind 127.0.0.1:8404)",
                "haproxy.cfg:16: stats enable: vipd has one stats listener, the one made of the first stats proxy (bind 127.0.0.1:8404)",
            ])
    }
}
