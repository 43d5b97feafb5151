import VipdConfig
import VipdCore
import XCTest

@testable import VipdHandoff

/// The nftables script of the session hand-off, as text: what each role asks of the kernel.
final class HandoffRulesetTests: XCTestCase {
    private let vip = IPAddress("10.0.0.50")!
    private let vip6 = IPAddress("2001:db8::50")!
    private let node = IPAddress("10.0.0.12")!
    private let previous = IPAddress("10.0.0.11")!

    private func rules(
        services: [SocketEndpoint]? = nil, forwardTo: IPAddress? = nil, held: [IPAddress] = []
    ) -> HandoffInstanceRules {
        HandoffInstanceRules(
            instance: "VI_1", interface: "eth0", nodeAddress: node,
            services: services ?? [SocketEndpoint(address: vip, port: 22), SocketEndpoint(address: vip, port: 80)],
            forwardTo: forwardTo, heldAddresses: held)
    }

    func testEveryScriptFirstReplacesTheThreeTablesAtomically() {
        let script = HandoffRuleset(instances: [rules()], originalFwmarkAccept: 0).script
        let lines = script.split(separator: "\n").map(String.init)
        XCTAssertEqual(
            Array(lines.prefix(6)),
            [
                "add table ip vipd_sessions", "delete table ip vipd_sessions", "add table ip6 vipd_sessions",
                "delete table ip6 vipd_sessions", "add table arp vipd_sessions", "delete table arp vipd_sessions",
            ])
        XCTAssertEqual(HandoffRuleset.removalScript, lines.prefix(6).joined(separator: "\n") + "\n")
    }

    func testAnyRoleMarksTheSYNsOfItsListenersOnly() {
        let script = HandoffRuleset(instances: [rules()], originalFwmarkAccept: 0).script
        XCTAssertTrue(
            script.contains(
                "ip daddr . tcp dport { 10.0.0.50 . 22, 10.0.0.50 . 80 } tcp flags & (syn | ack) == syn meta mark set meta mark | 0x00400000"),
            script)
        XCTAssertFalse(script.contains("dup to"), "no forwarding without a previous owner")
        XCTAssertFalse(script.contains("table arp vipd_sessions {"), "no ARP rules without held addresses")
        XCTAssertFalse(script.contains("table ip6 vipd_sessions {"), "no IPv6 table without IPv6 listeners")
        XCTAssertTrue(script.contains("comment \"vipd: sessions kept across moves of virtual addresses; tcp_fwmark_accept was 0\""))
    }

    func testOwnerSendsUnknownNonSYNSegmentsToThePreviousOwnerAndCountsThem() {
        let script = HandoffRuleset(instances: [rules(forwardTo: previous)], originalFwmarkAccept: 1).script
        XCTAssertTrue(
            script.contains(
                "ip daddr . tcp dport { 10.0.0.50 . 22, 10.0.0.50 . 80 } tcp flags & syn == 0 socket mark & 0x00400000 == 0 counter name \"forwarded_0\" dup to 10.0.0.11 device \"eth0\" drop"),
            script)
        XCTAssertTrue(script.contains("\tcounter forwarded_0 {\n\t}"))
    }

    func testIPv6ServicesGoToTheIP6TableAndForwardToALinkLocalOwner() {
        let linkLocal = IPAddress("fe80::1")!
        let script = HandoffRuleset(
            instances: [rules(services: [SocketEndpoint(address: vip6, port: 22)], forwardTo: linkLocal)], originalFwmarkAccept: 0
        ).script
        XCTAssertTrue(script.contains("table ip6 vipd_sessions {"))
        XCTAssertFalse(script.contains("ip daddr"), "the ip table only carries the comment and the held addresses")
        XCTAssertTrue(script.contains("ip6 daddr . tcp dport { 2001:db8::50 . 22 } tcp flags & syn == 0 socket mark & 0x00400000 == 0 counter name \"forwarded_0\" dup to fe80::1 device \"eth0\" drop"), script)
    }

    func testAForwardOfTheOtherFamilyIsNotWritten() {
        let script = HandoffRuleset(
            instances: [rules(services: [SocketEndpoint(address: vip6, port: 22)], forwardTo: previous)], originalFwmarkAccept: 0
        ).script
        XCTAssertFalse(script.contains("dup to"), script)
    }

    func testHolderAnswersNoARPForHeldAddressesAndAsksFromItsOwnAddress() {
        let script = HandoffRuleset(instances: [rules(held: [vip, vip6])], originalFwmarkAccept: 0).script
        XCTAssertTrue(script.contains("arp operation request arp daddr ip { 10.0.0.50 } drop"), script)
        XCTAssertTrue(script.contains("arp saddr ip 10.0.0.50 arp saddr ip set 10.0.0.12"), script)
        XCTAssertFalse(script.contains("2001:db8::50 } drop"), "IPv6 needs no rule: a /128 on lo is not answered")
    }

    func testSeveralInstancesHaveTheirOwnCounters() {
        var second = rules(services: [SocketEndpoint(address: IPAddress("10.0.0.60")!, port: 22)], forwardTo: previous)
        second.instance = "VI_2"
        let script = HandoffRuleset(instances: [rules(), second], originalFwmarkAccept: 0).script
        XCTAssertTrue(script.contains("counter name \"forwarded_1\" dup to 10.0.0.11"), script)
        XCTAssertTrue(script.contains("{ 10.0.0.50 . 22, 10.0.0.50 . 80, 10.0.0.60 . 22 } tcp flags & (syn | ack) == syn"), script)
    }

    func testDuplicateServicesAreWrittenOnce() {
        let script = HandoffRuleset(
            instances: [rules(services: [SocketEndpoint(address: vip, port: 22), SocketEndpoint(address: vip, port: 22)])],
            originalFwmarkAccept: 0
        ).script
        XCTAssertTrue(script.contains("{ 10.0.0.50 . 22 } tcp flags & (syn | ack)"), script)
    }

    func testTheIPTableListsTheHeldAddressesAndNamesTheSessionServer() {
        let script = HandoffRuleset(instances: [rules(held: [vip, vip6])], originalFwmarkAccept: 0, sessionServer: 3727).script
        XCTAssertTrue(script.contains("\tset held_addresses {\n\t\ttype ipv4_addr\n\t\telements = { 10.0.0.50 }\n\t}"), script)
        XCTAssertTrue(script.contains("\tset held_addresses6 {\n\t\ttype ipv6_addr\n\t\telements = { 2001:db8::50 }\n\t}"), script)
        XCTAssertTrue(script.contains("tcp_fwmark_accept was 0; session server pid 3727\""), script)
        XCTAssertLessThanOrEqual(HandoffRuleset.comment(originalFwmarkAccept: 1, sessionServer: .max).utf8.count, 128, "nftables' limit")
    }

    func testHeldAddressesAndTheSessionServerAreReadBackFromNftsListing() {
        // As `nft list table ip vipd_sessions` prints it.
        let listing = """
            table ip vipd_sessions {
            	comment "vipd: sessions kept across moves of virtual addresses; tcp_fwmark_accept was 0; session server pid 3727"
            	set held_addresses {
            		type ipv4_addr
            		elements = { 10.0.0.50, 10.0.0.60 }
            	}
            	set held_addresses6 {
            		type ipv6_addr
            		elements = { 2001:db8::50 }
            	}
            }
            """
        XCTAssertEqual(HandoffRuleset.heldAddresses(inListing: listing), [vip, IPAddress("10.0.0.60")!, vip6])
        XCTAssertEqual(HandoffRuleset.sessionServer(inListing: listing), 3727)
        XCTAssertEqual(HandoffRuleset.originalFwmarkAccept(inListing: listing), 0)
        XCTAssertNil(HandoffRuleset.sessionServer(inListing: "table ip vipd_sessions {\n}"))
        // Found by fuzzing: a pid beyond Int32 trapped.
        XCTAssertNil(HandoffRuleset.sessionServer(inListing: "session server pid 99999999999"))
        XCTAssertEqual(HandoffRuleset.heldAddresses(inListing: "elements = { not-an-address, 10.0.0.50 }"), [vip])
        XCTAssertEqual(
            HandoffRuleset.heldAddresses(inListing: "elements = { 10.0.0.50,\n\t\t\t     10.0.0.60 }"), [vip, IPAddress("10.0.0.60")!],
            "nft wraps long lists")
        XCTAssertEqual(HandoffRuleset.heldAddresses(inListing: "elements = { 10.0.0.50"), [vip], "cut short")
    }

    func testTheRecordedSettingIsReadBackFromAListing() {
        let listing = "table ip vipd_sessions {\n\tcomment \"\(HandoffRuleset.comment(originalFwmarkAccept: 0))\"\n}"
        XCTAssertEqual(HandoffRuleset.originalFwmarkAccept(inListing: listing), 0)
        XCTAssertNil(HandoffRuleset.originalFwmarkAccept(inListing: "table ip other {\n}"))
    }

    func testForwardedCountsAreReadFromNftJSONAndGarbageIsIgnored() {
        let json = """
            {"nftables": [{"metainfo": {"version": "1.0.6"}}, {"counter": {"family": "ip", "name": "forwarded_1", "table": "vipd_sessions", "handle": 3, "packets": 7, "bytes": 420}}, {"counter": {"name": "other", "packets": 9}}]}
            """
        XCTAssertEqual(HandoffRuleset.forwardedCounts(inJSON: json), [1: 7])
        XCTAssertEqual(HandoffRuleset.forwardedCounts(inJSON: "not json"), [:])
        XCTAssertEqual(HandoffRuleset.forwardedCounts(inJSON: "{\"nftables\": 3}"), [:])
    }

    func testServicesOfAnInstanceIncludeWildcardListenersOfItsFamily() {
        let instance = VRRPInstanceConfig(
            name: "VI_1", interface: "eth0", virtualRouterID: 51, virtualAddresses: [IPPrefix(parsing: "10.0.0.50/24")!])
        let listeners = [
            ListenerConfig(name: "ssh", bind: SocketEndpoint(address: vip, port: 22), pool: "ssh"),
            ListenerConfig(name: "web", bind: SocketEndpoint(address: IPAddress("0.0.0.0")!, port: 80), pool: "web"),
            ListenerConfig(name: "web6", bind: SocketEndpoint(address: IPAddress("::")!, port: 8080), pool: "web"),
            ListenerConfig(name: "other", bind: SocketEndpoint(address: IPAddress("10.0.0.99")!, port: 443), pool: "web"),
        ]
        XCTAssertEqual(
            SessionHandoff.services(of: instance, listeners: listeners),
            [SocketEndpoint(address: vip, port: 22), SocketEndpoint(address: vip, port: 80)])
    }
}
