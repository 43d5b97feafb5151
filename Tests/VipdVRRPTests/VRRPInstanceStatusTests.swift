import Foundation
import VipdConfig
import VipdCore
import VipdVRRP
import XCTest

/// The one VRRP instance status of the speaker, `/stats.json` and `vipd ctl status`.
final class VRRPInstanceStatusTests: XCTestCase {
    private let config = VRRPInstanceConfig(
        name: "VI_1", interface: "eth0", virtualRouterID: 51, version: 2,
        virtualAddresses: [IPPrefix(parsing: "10.0.0.100/24")!, IPPrefix(parsing: "10.0.0.101/24")!])

    private func transition(_ at: Double) -> VRRPInstanceStatus.Transition {
        VRRPInstanceStatus.Transition(VRRPTransition(from: .initialize, to: .backup, reason: .started), at: at)
    }

    func testATransitionIsSpelledAsTheLogLineSpellsIt() {
        let recorded = transition(12.5)
        XCTAssertEqual(recorded, VRRPInstanceStatus.Transition(at: 12.5, from: "INIT", to: "BACKUP", reason: "\(VRRPTransitionReason.started)"))
    }

    func testTheStateMachinesViewFillsEveryField() {
        let status = VRRPInstanceStatus(
            config: config, state: .master, priority: 100, effectivePriority: 40, masterAddress: IPAddress("10.0.0.1"),
            masterIsThisNode: true, faultReason: nil, held: true, counters: VRRPCounters(), recentTransitions: [transition(1)],
            restoredAddresses: 2)
        XCTAssertEqual(
            status,
            VRRPInstanceStatus(
                name: "VI_1", interface: "eth0", routerID: 51, version: 2, virtualAddresses: ["10.0.0.100/24", "10.0.0.101/24"],
                state: "MASTER", priority: 100, effectivePriority: 40, masterAddress: "10.0.0.1", masterIsThisNode: true,
                faultReason: nil, held: true, advertisementsReceived: 0, advertisementsSent: 0, transitionsTotal: 0,
                recentTransitions: [transition(1)], routedAdvertisementsReceived: 0, restoredAddresses: 2))
        XCTAssertTrue(status.isHeld)
        XCTAssertNil(status.heldAddresses, "the hand-off is the caller's")
        XCTAssertNil(status.syncGroup, "the sync group is the caller's")
    }

    func testRecentTransitionsAreNewestFirstAndCut() {
        XCTAssertEqual(VRRPInstanceStatus.recent([], adding: transition(1)), [transition(1)])
        XCTAssertEqual(VRRPInstanceStatus.recent([transition(1)], adding: transition(2)), [transition(2), transition(1)])
        let full = (1...VRRPInstanceStatus.transitionsKept).reversed().map { transition(Double($0)) }
        let next = VRRPInstanceStatus.recent(full, adding: transition(99))
        XCTAssertEqual(next.count, VRRPInstanceStatus.transitionsKept)
        XCTAssertEqual(next.first, transition(99))
        XCTAssertEqual(next.last, transition(2), "the oldest one goes")
    }

    /// The keys other nodes and `vipd ctl` read: the property names, unchanged.
    func testTheJSONKeysAreThePropertyNames() throws {
        var status = VRRPInstanceStatus(
            config: config, state: .backup, priority: 50, effectivePriority: 50, masterAddress: nil, masterIsThisNode: false,
            faultReason: "eth0 down", held: false, counters: VRRPCounters(), recentTransitions: [transition(1)], restoredAddresses: 0)
        status.masterAddress = "10.0.0.2"
        status.movedSessions = 1
        status.heldAddresses = ["10.0.0.100"]
        status.forwardingTo = "10.0.0.2"
        status.forwardedSegments = 3
        status.syncGroup = "gateway"
        status.syncGroupState = "BACKUP"
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: JSONEncoder().encode(status)) as? [String: Any])
        XCTAssertEqual(
            Set(object.keys),
            [
                "name", "interface", "routerID", "version", "virtualAddresses", "state", "priority", "effectivePriority",
                "masterAddress", "masterIsThisNode", "faultReason", "held", "advertisementsReceived", "advertisementsSent",
                "routedAdvertisementsReceived", "transitionsTotal", "movedSessions", "heldAddresses", "forwardingTo",
                "forwardedSegments", "restoredAddresses", "recentTransitions", "syncGroup", "syncGroupState",
            ])
        let transitions = try XCTUnwrap(object["recentTransitions"] as? [[String: Any]])
        XCTAssertEqual(Set(transitions.first?.keys ?? [:].keys), ["at", "from", "to", "reason"])
        XCTAssertEqual(try JSONDecoder().decode(VRRPInstanceStatus.self, from: JSONEncoder().encode(status)), status)
    }
}
