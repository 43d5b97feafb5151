import VipdSystemd
import XCTest

/// The watchdog gate with instants made up by the test (no waiting).
final class WatchdogGateTests: XCTestCase {
    private let start = ContinuousClock.Instant.now

    private func at(_ milliseconds: Int) -> ContinuousClock.Instant { start + .milliseconds(milliseconds) }

    private func gate() -> WatchdogGate<ContinuousClock.Instant> {
        WatchdogGate(loops: ["loop 1", "loop 2"], maxSilence: .seconds(3), now: start)
    }

    func testStartCountsAsABeat() {
        let gate = gate()
        XCTAssertTrue(gate.allowsPing(now: at(0)))
        XCTAssertTrue(gate.allowsPing(now: at(3000)), "exactly maxSilence is still alive")
        XCTAssertFalse(gate.allowsPing(now: at(3001)))
        XCTAssertEqual(gate.silentLoops(now: at(3001)).map(\.loop), ["loop 1", "loop 2"])
    }

    func testLoopsThatAnswerKeepThePingsGoing() {
        var gate = gate()
        for tick in 1...10 {
            for loop in ["loop 1", "loop 2"] {
                XCTAssertTrue(gate.shouldRequestBeat(from: loop))
                gate.recordBeat(from: loop, at: at(tick * 2000 + 5))
            }
            XCTAssertTrue(gate.allowsPing(now: at(tick * 2000 + 2000)))
        }
    }

    func testAStuckLoopStopsThePingsAndIsNamed() {
        var gate = gate()
        XCTAssertTrue(gate.shouldRequestBeat(from: "loop 1"))
        XCTAssertTrue(gate.shouldRequestBeat(from: "loop 2"))
        gate.recordBeat(from: "loop 1", at: at(10))
        // loop 2 never runs its heartbeat task: it is not handed another one.
        XCTAssertFalse(gate.shouldRequestBeat(from: "loop 2"))
        XCTAssertTrue(gate.shouldRequestBeat(from: "loop 1"))
        gate.recordBeat(from: "loop 1", at: at(2010))
        XCTAssertTrue(gate.allowsPing(now: at(2500)))
        XCTAssertFalse(gate.allowsPing(now: at(3500)))
        let silent = gate.silentLoops(now: at(3500))
        XCTAssertEqual(silent.map(\.loop), ["loop 2"])
        XCTAssertEqual(silent.first?.silence, .milliseconds(3500))
        // It answers at last: pings resume.
        gate.recordBeat(from: "loop 2", at: at(3600))
        XCTAssertTrue(gate.allowsPing(now: at(3700)))
        XCTAssertTrue(gate.shouldRequestBeat(from: "loop 2"))
    }

    func testAnOlderBeatDoesNotMoveTheClockBack() {
        var gate = gate()
        gate.recordBeat(from: "loop 1", at: at(2000))
        gate.recordBeat(from: "loop 1", at: at(1000))
        gate.recordBeat(from: "loop 2", at: at(2000))
        XCTAssertTrue(gate.allowsPing(now: at(5000)))
        XCTAssertFalse(gate.allowsPing(now: at(5001)))
    }

    func testUnknownLoopsAreIgnored() {
        var gate = gate()
        XCTAssertFalse(gate.shouldRequestBeat(from: "loop 9"))
        gate.recordBeat(from: "loop 9", at: at(100))
        XCTAssertEqual(gate.silentLoops(now: at(4000)).map(\.loop), ["loop 1", "loop 2"])
    }

    func testNoLoopsAlwaysAllows() {
        let gate = WatchdogGate(loops: [], maxSilence: .seconds(1), now: start)
        XCTAssertTrue(gate.allowsPing(now: at(60_000)))
    }
}
