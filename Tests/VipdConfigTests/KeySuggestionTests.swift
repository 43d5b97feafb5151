@testable import VipdConfig
import XCTest

/// Unknown keys: vipd's word for what haproxy and keepalived call it, then "did you mean", then the list.
final class KeySuggestionTests: XCTestCase {
    private let checkKeys = ["kind", "interval", "timeout", "fall", "rise", "expect"]
    private let serverKeys = ["name", "address", "weight", "backup", "check"]
    private let vrrpKeys = ["interface", "router_id", "advert_interval", "preempt", "unicast", "virtual_addresses", "track", "garp", "notify"]

    func testAHaproxyWordGetsVipdsWordWhereItBelongs() {
        XCTAssertEqual(unknownKeyHint(for: "inter", among: checkKeys), #"haproxy's "inter" is "interval" in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "inter", among: serverKeys), #"haproxy's "inter" is "check: { interval: DURATION }" of the pool in vipd"#)
        XCTAssertEqual(unknownKeyHint(for: "timeout check", among: checkKeys), #"haproxy's "timeout check" is "timeout" in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "timeout_client", among: ["bind", "mode", "pool", "idle_timeout", "connect_timeout"]),
            #"haproxy's "timeout_client" is "idle_timeout" in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "timeout server", among: ["request_timeout", "server_timeout", "server_reuse"]),
            #"haproxy's "timeout server" is "server_timeout" in vipd"#)
    }

    func testAKeepalivedWordGetsVipdsWord() {
        XCTAssertEqual(unknownKeyHint(for: "advert_int", among: vrrpKeys), #"keepalived's "advert_int" is "advert_interval" in vipd"#)
        XCTAssertEqual(unknownKeyHint(for: "virtual_router_id", among: vrrpKeys), #"keepalived's "virtual_router_id" is "router_id" in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "virtual_ipaddress", among: vrrpKeys), #"keepalived's "virtual_ipaddress" is "virtual_addresses" in vipd"#)
        XCTAssertEqual(unknownKeyHint(for: "nopreempt", among: vrrpKeys), #"keepalived's "nopreempt" is "preempt: false" in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "priority", among: vrrpKeys), #"keepalived's "priority" is each node's cluster.nodes.NAME.priority in vipd"#)
        XCTAssertEqual(unknownKeyHint(for: "auth_pass", among: ["password"]), #"keepalived's "auth_pass" is "password" in vipd"#)
        XCTAssertEqual(unknownKeyHint(for: "script", among: ["command", "interval", "timeout", "fall", "rise"]), #"keepalived's "script" is "command" in vipd"#)
    }

    func testKeepalivedsSyncGroupAndTrackingWordsGetVipdsWords() {
        let topLevel = ConfigMapping.topLevel.keys
        XCTAssertEqual(unknownKeyHint(for: "vrrp_sync_group", among: topLevel), #"keepalived's "vrrp_sync_group" is "sync_groups" in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "vrrp_track_process", among: topLevel),
            #"keepalived's "vrrp_track_process" is "track: { processes: { NAME: WEIGHT } }" in a vrrp instance in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "track_file", among: vrrpKeys), #"keepalived's "track_file" is "track: { files: { PATH: WEIGHT } }" in vipd"#)
        let group = ConfigMapping.syncGroup.keys
        XCTAssertEqual(unknownKeyHint(for: "group", among: group), #"keepalived's "group" is "instances" in vipd"#)
        XCTAssertEqual(
            unknownKeyHint(for: "sync_group_tracking_weight", among: group),
            #"keepalived's "sync_group_tracking_weight" is "priority: lowest" in vipd"#)
        XCTAssertEqual(unknownKeyHint(for: "quorum", among: ConfigMapping.trackProcess.keys), #"keepalived's "quorum" is "min" in vipd"#)
    }

    func testCaseDoesNotMatterForTheOtherToolsWords() {
        XCTAssertEqual(unknownKeyHint(for: "Advert_Int", among: vrrpKeys), #"keepalived's "advert_int" is "advert_interval" in vipd"#)
    }

    func testAWordOfTheOtherToolOutsideItsPlaceFallsBackToEditDistance() {
        // `advert_int` means nothing in a pool's check: the closest check key, or the list.
        XCTAssertEqual(unknownKeyHint(for: "advert_int", among: checkKeys), "allowed keys: kind, interval, timeout, fall, rise, expect")
        XCTAssertEqual(unknownKeyHint(for: "intervall", among: checkKeys), #"did you mean "interval"?"#)
    }

    func testEveryEntryPointsAtARealVipdKeyAndIsNotOneItself() {
        let vipdKeys: Set<String> = [
            "cluster", "global", "vrrp", "track_scripts", "listeners", "pools", "stats", "interface", "router_id",
            "advert_interval", "preempt", "unicast", "virtual_addresses", "track", "garp", "notify", "password",
            "command", "pool", "idle_timeout", "connect_timeout", "request_timeout", "server_timeout", "timeout",
            "server_reuse", "forwarded_for", "sorry_page", "servers", "check", "interval", "address",
            "sync_groups", "instances", "name", "min", "max",
        ]
        for entry in ForeignKeyWord.table {
            XCTAssertTrue(vipdKeys.contains(entry.anchor), "\(entry.word) -> \(entry.anchor)")
            XCTAssertEqual(entry.word, entry.word.lowercased(), entry.word)
        }
    }

    func testAKeepalivedWordInARealFileIsReportedAtItsPositionWithVipdsWord() {
        let yaml = """
            cluster:
              nodes:
                ha0: { address: 10.0.0.1, priority: 100 }
            vrrp:
              VI_1:
                interface: eth0
                router_id: 51
                advert_int: 1s
                virtual_addresses: [10.0.0.100/24]
            listeners:
              ssh: { bind: 10.0.0.100:22, pool: ssh }
            pools:
              ssh: { servers: "nodes:22", check: { kind: ssh-banner } }
            """
        assertSingleError(
            yaml, line: 8, column: 5, keyPath: "vrrp.VI_1.advert_int",
            message: #"unknown key "advert_int" (keepalived's "advert_int" is "advert_interval" in vipd)"#)
    }
}
