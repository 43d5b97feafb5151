import VipdDemo
import VipdLab
import XCTest

/// The gap computed from probe outcomes around an event.
final class FailoverGapTests: XCTestCase {
    private let cut = ContinuousClock.now

    private func outcomes(_ pattern: [(Int, Bool)]) -> [BannerProbeLoop.Outcome] {
        pattern.map { BannerProbeLoop.Outcome(at: cut + .milliseconds($0.0), succeeded: $0.1) }
    }

    func testGapRunsFromTheEventToTheFirstSuccessAfterIt() {
        let gap = FailoverGap(
            outcomes: outcomes([(-200, true), (-100, true), (0, false), (100, false), (3_900, false), (4_000, true), (4_100, true)]),
            after: cut)
        XCTAssertEqual(gap.gap, .milliseconds(4_000))
        XCTAssertEqual(gap.failedBeforeRecovery, 3)
        XCTAssertEqual(gap.failedAfterRecovery, 0)
        XCTAssertEqual(gap.probes, 5)
        XCTAssertTrue(gap.recovered)
    }

    func testFailuresAfterTheFirstSuccessAreCountedApart() {
        let gap = FailoverGap(outcomes: outcomes([(50, false), (150, true), (250, false), (350, true), (450, false)]), after: cut)
        XCTAssertEqual(gap.gap, .milliseconds(150))
        XCTAssertEqual(gap.failedBeforeRecovery, 1)
        XCTAssertEqual(gap.failedAfterRecovery, 2)
    }

    func testProbesBeforeTheEventAreIgnoredEvenWhenTheyFailed() {
        let gap = FailoverGap(outcomes: outcomes([(-100, false), (-1, false), (10, true)]), after: cut)
        XCTAssertEqual(gap.gap, .milliseconds(10))
        XCTAssertEqual(gap.failedBeforeRecovery, 0)
        XCTAssertEqual(gap.probes, 1)
    }

    func testNoSuccessAfterTheEventMeansNotRecovered() {
        let gap = FailoverGap(outcomes: outcomes([(-100, true), (0, false), (100, false)]), after: cut)
        XCTAssertNil(gap.gap)
        XCTAssertFalse(gap.recovered)
        XCTAssertEqual(gap.failedBeforeRecovery, 2)
        XCTAssertEqual(gap.probes, 2)
    }

    func testNoProbesAtAllMeansNotRecovered() {
        let gap = FailoverGap(outcomes: [], after: cut)
        XCTAssertFalse(gap.recovered)
        XCTAssertEqual(gap.probes, 0)
    }
}
