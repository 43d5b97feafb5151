import Foundation
import VipdLab
import XCTest

@testable import VipdNet

/// Policy-routing rules over rtnetlink: hand-built messages (and hostile bytes, which are errors and
/// never a trap), and the rules `ip rule add` puts in a namespace of the test's own.
final class RoutingRuleTests: XCTestCase {
    /// An `RTM_NEWRULE` payload as the kernel sends it: fib_rule_hdr, then the attributes.
    static func rule(family: UInt8, headerTable: UInt8 = 0, attributes: [NetlinkAttribute]) -> [UInt8] {
        [family, 0, 0, 0, headerTable, 0, 0, 1, 0, 0, 0, 0] + NetlinkAttribute.encode(attributes)
    }

    static func number(_ type: UInt16, _ value: UInt32) -> NetlinkAttribute {
        var bytes: [UInt8] = []
        bytes.appendHostOrder(value)
        return NetlinkAttribute(type: type, value: bytes)
    }

    func testPriorityTableAndProtocolAreRead() throws {
        let payload = Self.rule(family: 2, attributes: [Self.number(6, 9250), Self.number(15, 9251), NetlinkAttribute(type: 21, value: [239])])
        XCTAssertEqual(try RoutingRule(payload: payload), RoutingRule(family: .v4, priority: 9250, table: 9251, routeProtocol: 239))
        let v6 = Self.rule(family: 10, headerTable: 254, attributes: [])
        XCTAssertEqual(try RoutingRule(payload: v6), RoutingRule(family: .v6, priority: 0, table: 254, routeProtocol: 0))
        XCTAssertNil(try RoutingRule(payload: Self.rule(family: 7, attributes: [])), "another family")
    }

    func testHostileBytesAreErrors() {
        XCTAssertThrowsError(try RoutingRule(payload: [2, 0, 0]))
        XCTAssertThrowsError(try RoutingRule(payload: Self.rule(family: 2, attributes: [NetlinkAttribute(type: 6, value: [1, 2])])))
        XCTAssertThrowsError(try RoutingRule(payload: Self.rule(family: 2, attributes: [NetlinkAttribute(type: 21, value: [1, 2])])))
        let good = Self.rule(family: 2, attributes: [Self.number(6, 9250), NetlinkAttribute(type: 21, value: [239])])
        for length in 0...good.count { _ = try? RoutingRule(payload: Array(good.prefix(length))) }
    }

    func testTheRulesIpAddsAreListedWithTheirProtocol() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        let namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("net-rule"))
        defer { namespace.delete() }
        try namespace.ip(["-4", "rule", "add", "fwmark", "0x1000000/0x1000000", "lookup", "9250", "priority", "9250", "protocol", "239"])
        try namespace.ip(["-6", "rule", "add", "to", "100::1", "lookup", "9249", "priority", "9251", "protocol", "239"])
        let (v4, v6) = try namespace.perform {
            let netlink = try RouteNetlink()
            return (try netlink.rules(family: .v4), try netlink.rules(family: .v6))
        }
        XCTAssertTrue(v4.contains(RoutingRule(family: .v4, priority: 9250, table: 9250, routeProtocol: 239)), "\(v4)")
        XCTAssertTrue(v4.contains { $0.priority == 32766 && $0.table == 254 }, "the main table's rule: \(v4)")
        XCTAssertTrue(v6.contains(RoutingRule(family: .v6, priority: 9251, table: 9249, routeProtocol: 239)), "\(v6)")
        XCTAssertFalse(v4.contains { $0.family != .v4 })
    }
}
