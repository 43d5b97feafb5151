import VipdDemo
import XCTest

/// Reading `vipd monitor --json` output while it is being written.
final class MonitorLineTests: XCTestCase {
    private let master = #"{"event":"master","time":"2026-01-01T10:00:00.000Z","group":{"interface":"eth0","family":"ipv4","vrid":51},"from":null,"to":"10.251.1.11"}"#
    private let finding = #"{"event":"finding","time":"2026-01-01T10:00:05.000Z","kind":"split-brain","severity":"critical","group":{"interface":"eth0","family":"ipv4","vrid":51},"subject":"10.251.1.11/10.251.1.12","since":"2026-01-01T10:00:05.000Z","summary":"SPLIT BRAIN on eth0: a firewall on 10.251.1.12 (ha1) drops IP protocol 112","evidence":["one","two"],"fix":"on 10.251.1.12 (ha1): `nft insert rule inet filter input ip protocol vrrp accept`"}"#
    private let cleared = #"{"event":"cleared","time":"2026-01-01T10:00:20.000Z","kind":"split-brain","summary":"s","evidence":[],"fix":"f","duration_seconds":15.25}"#

    func testEventsAndTheirMembersAreRead() {
        let lines = MonitorLine.parse([master, finding, cleared].joined(separator: "\n") + "\n")
        XCTAssertEqual(lines.map(\.event), ["master", "finding", "cleared"])
        XCTAssertEqual(lines[0].to, "10.251.1.11")
        XCTAssertNil(lines[0].kind)
        XCTAssertEqual(lines[1].kind, "split-brain")
        XCTAssertEqual(lines[1].summary, "SPLIT BRAIN on eth0: a firewall on 10.251.1.12 (ha1) drops IP protocol 112")
        XCTAssertEqual(lines[1].evidence, ["one", "two"])
        XCTAssertEqual(lines[1].fix, "on 10.251.1.12 (ha1): `nft insert rule inet filter input ip protocol vrrp accept`")
        XCTAssertEqual(lines[2].durationSeconds, 15.25)
    }

    func testAPartialLastLineWaitsForTheNextRead() {
        let text = master + "\n" + String(finding.prefix(40))
        XCTAssertEqual(MonitorLine.parse(text).map(\.event), ["master"])
        XCTAssertEqual(MonitorLine.parse(String(master.dropLast())), [])
    }

    func testTextAndObjectsWithoutAnEventAreSkipped() {
        let text = "vipd monitor: cannot open eth1\n{\"kind\":\"x\"}\n{not json\n\(master)\n"
        XCTAssertEqual(MonitorLine.parse(text).map(\.event), ["master"])
        XCTAssertEqual(MonitorLine.parse(""), [])
    }
}
