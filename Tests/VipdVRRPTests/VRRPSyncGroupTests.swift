import VipdConfig
import VipdVRRP
import XCTest

/// The sync group's decisions over every combination of its members' states, and its tracking.
final class VRRPSyncGroupTests: XCTestCase {
    private typealias Status = VRRPSyncGroup.MemberStatus

    /// Every status a member can report.
    private let statuses: [Status] = [
        Status(state: .initialize), Status(state: .backup), Status(state: .backup, wantsMaster: true),
        Status(state: .master), Status(state: .fault),
    ]

    /// Every assignment of `statuses` to `count` members.
    private func combinations(_ count: Int) -> [[Status]] {
        (0..<count).reduce([[]]) { partial, _ in partial.flatMap { prefix in statuses.map { prefix + [$0] } } }
    }

    /// A group of `names` whose members reported `assignment` in order; the actions of the last report.
    private func group(_ names: [String], reporting assignment: [Status]) -> (VRRPSyncGroup, [VRRPSyncGroup.Action]) {
        var group = VRRPSyncGroup(config: SyncGroupConfig(name: "gateway", instances: names))
        var last: [VRRPSyncGroup.Action] = []
        for (name, status) in zip(names, assignment) { last = group.memberChanged(name, to: status) }
        return (group, last)
    }

    func testEveryCombinationOfTwoAndThreeMembers() {
        for names in [["VI_1", "VI_2"], ["VI_1", "VI_2", "VI_3"]] {
            for assignment in combinations(names.count) {
                let (group, actions) = group(names, reporting: assignment)
                let members = Array(zip(names, assignment))
                let memberActions = actions.filter { if case .transition = $0 { false } else { true } }
                let context = "\(members.map { "\($0.0)=\($0.1.state)\($0.1.wantsMaster ? "+wants" : "")" })"
                // The group's state.
                let states = assignment.map(\.state)
                let expectedState: VRRPState =
                    states.contains(.fault)
                    ? .fault
                    : states.allSatisfy { $0 == .master } ? .master : states.contains(.initialize) ? .initialize : .backup
                XCTAssertEqual(group.state, expectedState, context)
                if states.contains(.fault) {
                    XCTAssertEqual(memberActions, [], "a fault travels through tracking: \(context)")
                    continue
                }
                let blocker = members.first { !($0.1.state == .master || ($0.1.state == .backup && $0.1.wantsMaster)) }
                if let blocker {
                    XCTAssertEqual(
                        memberActions,
                        members.filter { $0.1.state == .master }.map {
                            .becomeBackup(instance: $0.0, member: blocker.0, memberState: blocker.1.state)
                        }, context)
                } else {
                    XCTAssertEqual(
                        memberActions, members.filter { $0.1.state == .backup }.map { .becomeMaster(instance: $0.0) }, context)
                }
                // Carried out, the actions leave the members all MASTER or none of them.
                let after = members.map { name, status -> VRRPState in
                    if memberActions.contains(.becomeMaster(instance: name)) { return .master }
                    if memberActions.contains(where: { if case .becomeBackup(name, _, _) = $0 { true } else { false } }) {
                        return .backup
                    }
                    return status.state
                }
                XCTAssertTrue(after.allSatisfy { $0 == .master } || !after.contains(.master), "\(context) -> \(after)")
            }
        }
    }

    func testTheGroupStateChangeIsReportedOnce() {
        var group = VRRPSyncGroup(config: SyncGroupConfig(name: "gateway", instances: ["VI_1", "VI_2"]))
        XCTAssertEqual(group.state, .initialize)
        XCTAssertEqual(group.memberChanged("VI_1", to: Status(state: .backup)), [])
        XCTAssertEqual(group.memberChanged("VI_2", to: Status(state: .backup)), [.transition(from: .initialize, to: .backup)])
        XCTAssertEqual(group.memberChanged("VI_2", to: Status(state: .backup, wantsMaster: true)), [])
        XCTAssertEqual(
            group.memberChanged("VI_1", to: Status(state: .backup, wantsMaster: true)),
            [.becomeMaster(instance: "VI_1"), .becomeMaster(instance: "VI_2")])
        XCTAssertEqual(group.memberChanged("VI_1", to: Status(state: .master)), [.becomeMaster(instance: "VI_2")])
        XCTAssertEqual(group.memberChanged("VI_2", to: Status(state: .master)), [.transition(from: .backup, to: .master)])
        // VI_2 hears a higher priority: VI_1 follows it to BACKUP.
        XCTAssertEqual(
            group.memberChanged("VI_2", to: Status(state: .backup)),
            [.transition(from: .master, to: .backup), .becomeBackup(instance: "VI_1", member: "VI_2", memberState: .backup)])
        XCTAssertEqual(group.memberChanged("VI_1", to: Status(state: .fault)), [.transition(from: .backup, to: .fault)])
        XCTAssertEqual(group.memberChanged("nope", to: Status(state: .master)), [])
    }

    func testAFaultOfOneMemberIsEveryMembersWithWhereItComesFrom() {
        let group = VRRPSyncGroup(config: SyncGroupConfig(name: "gateway", instances: ["VI_1", "VI_2", "VI_3"]))
        XCTAssertEqual(
            group.tracking([
                "VI_1": .priority(100), "VI_2": .fault(reasons: ["interface eth1 down"]), "VI_3": .priority(90),
                "other": .priority(7),
            ]),
            [
                "VI_1": .fault(reasons: ["sync group gateway: VI_2 interface eth1 down"]),
                "VI_2": .fault(reasons: ["interface eth1 down"]),
                "VI_3": .fault(reasons: ["sync group gateway: VI_2 interface eth1 down"]),
                "other": .priority(7),
            ])
        XCTAssertEqual(
            group.tracking(["VI_1": .fault(reasons: ["process app down"]), "VI_2": .fault(reasons: ["interface eth1 down"])])["VI_1"],
            .fault(reasons: ["process app down", "sync group gateway: VI_2 interface eth1 down"]))
    }

    func testOwnPriorityKeepsEachMembersAndLowestGivesEveryMemberTheLowest() {
        let own = ["VI_1": TrackedPriority.priority(100), "VI_2": .priority(40)]
        let config = SyncGroupConfig(name: "gateway", instances: ["VI_1", "VI_2"])
        XCTAssertEqual(VRRPSyncGroup(config: config).tracking(own), own)
        var lowest = config
        lowest.priority = .lowest
        XCTAssertEqual(VRRPSyncGroup(config: lowest).tracking(own), ["VI_1": .priority(40), "VI_2": .priority(40)])
        XCTAssertEqual(VRRPSyncGroup(config: lowest).tracking(["VI_1": .priority(100)]), ["VI_1": .priority(100)])
    }
}
