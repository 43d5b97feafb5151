import VipdConfig
import VipdVRRP
import XCTest

final class TrackedPriorityTests: XCTestCase {
    private func status(
        _ kind: TrackedObjectConfig.Kind, _ name: String, weight: Int, up: Bool
    ) -> TrackedObjectStatus {
        TrackedObjectStatus(object: TrackedObjectConfig(kind: kind, name: name, weight: weight), isUp: up)
    }

    func testNoTrackingKeepsTheBase() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: []), .priority(100))
    }

    func testFailingNegativeWeightLowers() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [status(.pool, "ssh", weight: -50, up: false)]), .priority(50))
    }

    func testSucceedingNegativeWeightChangesNothing() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [status(.pool, "ssh", weight: -50, up: true)]), .priority(100))
    }

    func testSucceedingPositiveWeightRaises() {
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [status(.script, "chk", weight: 20, up: true)]), .priority(120))
    }

    func testFailingPositiveWeightChangesNothing() {
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [status(.script, "chk", weight: 20, up: false)]), .priority(100))
    }

    func testWeightsAdd() {
        let tracking = [
            status(.pool, "ssh", weight: -30, up: false),
            status(.pool, "http", weight: -20, up: false),
            status(.script, "chk", weight: 10, up: true),
            status(.interface, "eth1", weight: -5, up: true),
        ]
        XCTAssertEqual(TrackedPriority(base: 100, tracking: tracking), .priority(60))
    }

    func testClampsToOneAndTwoHundredFiftyFour() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [status(.pool, "ssh", weight: -150, up: false)]), .priority(1))
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [status(.pool, "ssh", weight: -100, up: false)]), .priority(1))
        XCTAssertEqual(TrackedPriority(base: 200, tracking: [status(.script, "a", weight: 100, up: true)]), .priority(254))
        XCTAssertEqual(TrackedPriority(base: 254, tracking: [status(.script, "a", weight: 1, up: true)]), .priority(254))
    }

    func testAddressOwnerIgnoresWeights() {
        XCTAssertEqual(TrackedPriority(base: 255, tracking: [status(.pool, "ssh", weight: -50, up: false)]), .priority(255))
        XCTAssertEqual(TrackedPriority(base: 255, tracking: [status(.script, "a", weight: 50, up: true)]), .priority(255))
    }

    func testFailingWeightZeroIsAFault() {
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [status(.interface, "enp2s0", weight: 0, up: false)]),
            .fault(reasons: ["interface enp2s0 down"]))
    }

    func testEveryFailingWeightZeroObjectIsAReasonAndWeightsDoNotMatter() {
        let tracking = [
            status(.interface, "enp2s0", weight: 0, up: false),
            status(.pool, "ssh", weight: -50, up: false),
            status(.script, "chk_sshd", weight: 0, up: false),
            status(.pool, "http", weight: 0, up: true),
        ]
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: tracking), .fault(reasons: ["interface enp2s0 down", "script chk_sshd down"]))
    }

    func testAddressOwnerStillFaults() {
        XCTAssertEqual(
            TrackedPriority(base: 255, tracking: [status(.pool, "ssh", weight: 0, up: false)]),
            .fault(reasons: ["pool ssh down"]))
    }

    func testSucceedingWeightZeroChangesNothing() {
        XCTAssertEqual(TrackedPriority(base: 90, tracking: [status(.interface, "eth0", weight: 0, up: true)]), .priority(90))
    }
}
