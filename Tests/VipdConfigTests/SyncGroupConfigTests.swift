import VipdConfig
import XCTest

/// `sync_groups`: the members, `priority`, and each error `vipd check` reports with its position.
final class SyncGroupConfigTests: XCTestCase {
    /// Two nodes, instances VI_1 on eth0 and VI_2 on eth1 (each with `track`), and `syncGroups`.
    private func config(syncGroups: String, track1: String = "", track2: String = "", preempt2: Bool = true) -> String {
        """
        cluster:
          nodes:
            ha0: { address: 10.0.0.1, priority: 100 }
            ha1: { address: 10.0.0.2, priority: 50 }
        vrrp:
          VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24]\(track1) }
          VI_2: { interface: eth1, router_id: 52, preempt: \(preempt2), virtual_addresses: [10.0.1.100/24]\(track2) }
          VI_3: { interface: eth2, router_id: 53, virtual_addresses: [10.0.2.100/24] }
        sync_groups:
        \(syncGroups)
        listeners:
          ssh: { bind: 10.0.0.100:22, pool: ssh }
        pools:
          ssh: { servers: "nodes:22", check: { kind: ssh-banner } }
        """
    }

    private func assertErrors(_ yaml: String, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(configErrors(yaml, file: file, line: line).map(\.description), expected, file: file, line: line)
    }

    func testMembersAndDefaultPriority() throws {
        let parsed = try XCTUnwrap(parseValid(config(syncGroups: "  gateway: { instances: [VI_1, VI_2] }")))
        XCTAssertEqual(parsed.syncGroups, [SyncGroupConfig(name: "gateway", instances: ["VI_1", "VI_2"], priority: .own)])
        XCTAssertEqual(parsed.syncGroup(of: "VI_2")?.name, "gateway")
        XCTAssertNil(parsed.syncGroup(of: "VI_3"))
    }

    func testLowestPriorityAllowsWeights() throws {
        let parsed = try XCTUnwrap(
            parseValid(
                config(
                    syncGroups: "  gateway: { instances: [VI_1, VI_2], priority: lowest }",
                    track1: ", track: { processes: { haproxy: -60 } }")))
        XCTAssertEqual(parsed.syncGroups.first?.priority, .lowest)
    }

    func testWeightZeroTrackingIsFineWithOwnPriority() {
        XCTAssertNotNil(
            parseValid(
                config(syncGroups: "  gateway: { instances: [VI_1, VI_2] }", track1: ", track: { interfaces: [eth5], files: [/run/down] }")))
    }

    func testAWeightedMemberNeedsLowest() {
        assertErrors(
            config(syncGroups: "  gateway: { instances: [VI_1, VI_2] }", track2: ", track: { files: { /run/prio: 1 } }"),
            [
                "vipd.yaml:10:32: sync_groups.gateway.instances[1]: VI_2 tracks file /run/prio with weight 1: in a sync group with priority: own every tracked object of a member needs weight 0 (FAULT), since a weight would move this member alone and the group would not follow; use weight 0, or priority: lowest to let a weight move the whole group"
            ])
    }

    func testUnknownInstanceWithSuggestion() {
        assertErrors(
            config(syncGroups: "  gateway: { instances: [VI_1, VI2] }"),
            [#"vipd.yaml:10:32: sync_groups.gateway.instances[1]: no vrrp instance named "VI2" (did you mean "VI_2"?)"#])
    }

    func testOneMemberIsNotAGroup() {
        assertErrors(
            config(syncGroups: "  gateway: { instances: [VI_1] }"),
            [
                "vipd.yaml:10:25: sync_groups.gateway.instances: a sync group needs at least two instances: one alone already changes state on its own"
            ])
    }

    func testAMemberListedTwice() {
        assertErrors(
            config(syncGroups: "  gateway: { instances: [VI_1, VI_1, VI_2] }"),
            [#"vipd.yaml:10:32: sync_groups.gateway.instances[1]: "VI_1" is listed twice"#])
    }

    func testAnInstanceInTwoGroups() {
        assertErrors(
            config(
                syncGroups: """
                  outside: { instances: [VI_1, VI_2] }
                  inside: { instances: [VI_3, VI_2] }
                """),
            [
                #"vipd.yaml:11:31: sync_groups.inside.instances[1]: instance "VI_2" is already in sync group "outside": an instance can be in one sync group only"#
            ])
    }

    func testMembersMustAgreeOnPreempt() {
        assertErrors(
            config(syncGroups: "  gateway: { instances: [VI_1, VI_2] }", preempt2: false),
            [
                "vipd.yaml:10:25: sync_groups.gateway.instances: the members of a sync group move together, so they must agree on preempt: VI_1 has preempt: true, VI_2 has preempt: false"
            ])
    }

    func testPriorityChoiceAndUnknownKey() {
        assertErrors(
            config(syncGroups: "  gateway: { instances: [VI_1, VI_2], priority: lower, global_tracking: true }"),
            [
                #"vipd.yaml:10:49: sync_groups.gateway.priority: invalid value "lower"; use one of: own, lowest"#,
                #"vipd.yaml:10:56: sync_groups.gateway.global_tracking: unknown key "global_tracking" (allowed keys: instances, priority)"#,
            ])
    }

    func testMissingInstancesAndWrongType() {
        assertErrors(
            config(syncGroups: "  gateway: { priority: own }"),
            [#"vipd.yaml:10:3: sync_groups.gateway: missing required key "instances""#])
        assertErrors(
            config(syncGroups: "  gateway: { instances: VI_1 }"),
            [#"vipd.yaml:10:25: sync_groups.gateway.instances: expected a list of vrrp instance names like [VI_1, VI_2], got "VI_1""#])
    }

    func testSyncGroupsWithoutVRRP() {
        assertErrors(
            minimalConfig("sync_groups:\n  gateway: { instances: [VI_1, VI_2] }"),
            ["vipd.yaml:8:3: sync_groups: sync_groups needs vrrp instances to group: add them under vrrp"])
    }

    func testAMemberWithErrorsOfItsOwnIsNotReportedAgain() {
        let yaml = config(syncGroups: "  gateway: { instances: [VI_1, VI_2] }")
            .replacingOccurrences(of: "router_id: 52", with: "router_id: 300")
        assertErrors(yaml, ["vipd.yaml:7:39: vrrp.VI_2.router_id: 300 is out of range: must be between 1 and 255"])
    }
}
