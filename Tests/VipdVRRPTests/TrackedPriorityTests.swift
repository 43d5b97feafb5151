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

    private func file(_ value: Int64, weight: Int) -> TrackedObjectStatus {
        TrackedObjectStatus(object: TrackedObjectConfig(kind: .file, name: "/run/prio", weight: weight), value: value)
    }

    /// keepalived's track_file: value × weight added, weight 0 a FAULT on any value but 0.
    func testAFileAddsItsValueTimesTheWeight() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(-60, weight: 1)]), .priority(40))
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(5, weight: -4)]), .priority(80))
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(0, weight: 7)]), .priority(100))
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(3, weight: 10), file(-2, weight: 5)]), .priority(120))
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(1000, weight: 1)]), .priority(254), "more than 253 counts as 253")
        XCTAssertEqual(TrackedPriority(base: 255, tracking: [file(-100, weight: 1)]), .priority(255), "the owner keeps 255")
    }

    func testAFileAtMinus254OrBelowIsAFault() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(-253, weight: 1)]), .priority(1))
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [file(-254, weight: 1)]),
            .fault(reasons: ["file /run/prio holds -254, times weight 1 is below -253"]))
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [file(-127, weight: 2)]),
            .fault(reasons: ["file /run/prio holds -127, times weight 2 is below -253"]))
    }

    func testAFileWithWeightZeroFaultsOnAnyValueButZero() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(0, weight: 0)]), .priority(100))
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(1, weight: 0)]), .fault(reasons: ["file /run/prio holds 1"]))
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(-3, weight: 0)]), .fault(reasons: ["file /run/prio holds -3"]))
    }

    func testAFileValueThatOverflowsSaturates() {
        XCTAssertEqual(TrackedPriority(base: 100, tracking: [file(.max, weight: 254)]), .priority(254))
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [file(.min, weight: 254)]),
            .fault(reasons: ["file /run/prio holds \(Int64.min), times weight 254 is below -253"]))
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [file(.min, weight: -254)]), .priority(254), "a negative times a negative is large")
    }

    func testAProcessCountWithinItsBoundsSucceeds() {
        let atLeastTwo = TrackedObjectConfig(kind: .process, name: "nginx", weight: 0, minimum: 2)
        XCTAssertEqual((0...4).map { atLeastTwo.accepts(processCount: $0) }, [false, false, true, true, true])
        let oneOnly = TrackedObjectConfig(kind: .process, name: "app", weight: 0, minimum: 1, maximum: 1)
        XCTAssertEqual((0...2).map { oneOnly.accepts(processCount: $0) }, [false, true, false])
        let none = TrackedObjectConfig(kind: .process, name: "rescue", weight: 0, minimum: 0, maximum: 0)
        XCTAssertEqual((0...1).map { none.accepts(processCount: $0) }, [true, false])
        XCTAssertEqual(
            TrackedPriority(base: 100, tracking: [TrackedObjectStatus(object: oneOnly, isUp: false)]),
            .fault(reasons: ["process app down"]))
    }
}
