import XCTest
import VipdHealth

final class ServerHealthTests: XCTestCase {
    func testFirstResultDecidesAtOnce() {
        var passing = ServerHealth(rise: 2, fall: 3)
        XCTAssertEqual(passing.state, .unknown)
        XCTAssertEqual(passing.progress, "UNKNOWN")
        let up = passing.record(passed: true, reason: "SSH banner \"SSH-2.0-x\"")
        XCTAssertEqual(up.transition, HealthTransition(from: .unknown, to: .up, reason: "SSH banner \"SSH-2.0-x\""))
        XCTAssertEqual(up.state, .up)
        XCTAssertEqual(up.progress, "3/3 UP")
        XCTAssertTrue(passing.isUp)

        var failing = ServerHealth(rise: 2, fall: 3)
        let down = failing.record(passed: false, reason: "connection refused")
        XCTAssertEqual(down.transition, HealthTransition(from: .unknown, to: .down, reason: "connection refused"))
        XCTAssertEqual(down.progress, "0/2 DOWN")
        XCTAssertFalse(failing.isUp)
    }

    func testFallAfterConsecutiveFailures() {
        var health = ServerHealth(rise: 2, fall: 3)
        _ = health.record(passed: true, reason: "ok")
        let first = health.record(passed: false, reason: "timeout")
        XCTAssertNil(first.transition)
        XCTAssertEqual(first.progress, "2/3 UP")
        XCTAssertTrue(first.isNoteworthy)
        let second = health.record(passed: false, reason: "timeout")
        XCTAssertNil(second.transition)
        XCTAssertEqual(second.progress, "1/3 UP")
        XCTAssertTrue(health.isUp)
        let third = health.record(passed: false, reason: "no SSH banner within 2000 ms")
        XCTAssertEqual(third.transition, HealthTransition(from: .up, to: .down, reason: "no SSH banner within 2000 ms"))
        XCTAssertEqual(third.progress, "0/2 DOWN")
        XCTAssertEqual(health.consecutiveFailures, 0)
    }

    func testRiseAfterConsecutiveSuccesses() {
        var health = ServerHealth(rise: 2, fall: 3)
        _ = health.record(passed: false, reason: "refused")
        let first = health.record(passed: true, reason: "ok")
        XCTAssertNil(first.transition)
        XCTAssertEqual(first.progress, "1/2 DOWN")
        XCTAssertTrue(first.isNoteworthy)
        let second = health.record(passed: true, reason: "ok2")
        XCTAssertEqual(second.transition, HealthTransition(from: .down, to: .up, reason: "ok2"))
        XCTAssertEqual(second.progress, "3/3 UP")
    }

    func testSuccessWhileUpResetsFailures() {
        var health = ServerHealth(rise: 2, fall: 3)
        _ = health.record(passed: true, reason: "ok")
        _ = health.record(passed: false, reason: "x")
        _ = health.record(passed: false, reason: "x")
        let recovered = health.record(passed: true, reason: "ok")
        XCTAssertNil(recovered.transition)
        XCTAssertEqual(recovered.progress, "3/3 UP")
        XCTAssertTrue(recovered.isNoteworthy, "the recovery from 1/3 is worth a line")
        XCTAssertFalse(health.record(passed: true, reason: "ok").isNoteworthy, "steady success is not")
        // Two more failures do not take it down: the count started again.
        XCTAssertNil(health.record(passed: false, reason: "x").transition)
        XCTAssertNil(health.record(passed: false, reason: "x").transition)
        XCTAssertEqual(health.record(passed: false, reason: "x").transition?.to, .down)
    }

    func testFailureWhileDownResetsSuccesses() {
        var health = ServerHealth(rise: 3, fall: 1)
        _ = health.record(passed: false, reason: "x")
        _ = health.record(passed: true, reason: "ok")
        _ = health.record(passed: true, reason: "ok")
        XCTAssertEqual(health.progress, "2/3 DOWN")
        let reset = health.record(passed: false, reason: "x")
        XCTAssertNil(reset.transition)
        XCTAssertEqual(reset.progress, "0/3 DOWN")
        XCTAssertTrue(reset.isNoteworthy)
        XCTAssertFalse(health.record(passed: false, reason: "x").isNoteworthy, "steady failure is not")
        XCTAssertNil(health.record(passed: true, reason: "ok").transition)
        XCTAssertNil(health.record(passed: true, reason: "ok").transition)
        XCTAssertEqual(health.record(passed: true, reason: "ok").transition?.to, .up)
    }

    func testFallOneRiseOneFlipsEveryTime() {
        var health = ServerHealth(rise: 1, fall: 1)
        let results = [true, false, true, true, false, false, true]
        let states = results.map { health.record(passed: $0, reason: "").state }
        XCTAssertEqual(states, [.up, .down, .up, .up, .down, .down, .up])
    }

    func testNonPositiveCountsAreClampedToOne() {
        let health = ServerHealth(rise: 0, fall: -2)
        XCTAssertEqual(health.rise, 1)
        XCTAssertEqual(health.fall, 1)
    }

    /// Every sequence of 8 results against a straightforward model of the rules.
    func testExhaustiveSequencesAgainstModel() {
        for (rise, fall) in [(1, 1), (2, 3), (3, 2), (2, 2)] {
            for bits in 0..<(1 << 8) {
                var health = ServerHealth(rise: rise, fall: fall)
                var modelUp: Bool? = nil
                var run = 0  // consecutive results contrary to the current state
                for step in 0..<8 {
                    let passed = bits & (1 << step) != 0
                    let update = health.record(passed: passed, reason: "r")
                    var changed = false
                    if let up = modelUp {
                        if passed == up {
                            run = 0
                        } else {
                            run += 1
                            if run >= (up ? fall : rise) { modelUp = passed; run = 0; changed = true }
                        }
                    } else {
                        modelUp = passed
                        changed = true
                    }
                    XCTAssertEqual(update.state, modelUp! ? .up : .down, "rise \(rise) fall \(fall) bits \(bits) step \(step)")
                    XCTAssertEqual(update.transition != nil, changed)
                    let expectedProgress = modelUp! ? "\(fall - run)/\(fall) UP" : "\(run)/\(rise) DOWN"
                    XCTAssertEqual(update.progress, expectedProgress)
                }
            }
        }
    }

    func testRecordOutcomeUsesDetailAsReason() {
        var health = ServerHealth(rise: 2, fall: 3)
        let update = health.record(CheckOutcome(passed: false, detail: "connection refused", duration: .milliseconds(1)))
        XCTAssertEqual(update.transition?.reason, "connection refused")
    }
}
