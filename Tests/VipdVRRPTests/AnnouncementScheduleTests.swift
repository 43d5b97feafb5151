import VipdConfig
import VipdVRRP
import XCTest

/// When a master announces its virtual addresses: on becoming master, `repeat_after` later, and every `refresh`.
final class AnnouncementScheduleTests: XCTestCase {
    private typealias Burst = AnnouncementSchedule.Burst

    private func bursts(_ config: AnnouncementConfig, first: Int = 6) -> [Burst] {
        Array(AnnouncementSchedule(config).prefix(first))
    }

    func testDefaultsAreTwoBurstsOfFiveAndNoRefresh() {
        XCTAssertEqual(bursts(AnnouncementConfig()), [Burst(at: .zero, count: 5), Burst(at: .seconds(5), count: 5)])
    }

    func testWithoutRepeatOneBurst() {
        XCTAssertEqual(bursts(AnnouncementConfig(count: 3, repeatAfter: .zero)), [Burst(at: .zero, count: 3)])
    }

    func testCountZeroAnnouncesNothing() {
        XCTAssertEqual(bursts(AnnouncementConfig(count: 0)), [])
    }

    func testRefreshFollowsForeverCountedFromBecomingMaster() {
        XCTAssertEqual(
            bursts(AnnouncementConfig(count: 5, repeatAfter: .seconds(5), refresh: .seconds(2), refreshCount: 2)),
            [
                Burst(at: .zero, count: 5), Burst(at: .seconds(2), count: 2), Burst(at: .seconds(4), count: 2),
                Burst(at: .seconds(5), count: 5), Burst(at: .seconds(6), count: 2), Burst(at: .seconds(8), count: 2),
            ])
        let far = Array(AnnouncementSchedule(AnnouncementConfig(refresh: .seconds(60))).prefix(1000)).last
        XCTAssertEqual(far, Burst(at: .seconds(60 * 998), count: 1), "endless while master")
    }

    func testBurstsAtTheSameTimeBecomeOneOfTheLargerCount() {
        XCTAssertEqual(
            bursts(AnnouncementConfig(count: 3, repeatAfter: .seconds(10), refresh: .seconds(5), refreshCount: 4), first: 4),
            [Burst(at: .zero, count: 3), Burst(at: .seconds(5), count: 4), Burst(at: .seconds(10), count: 4), Burst(at: .seconds(15), count: 4)])
        XCTAssertEqual(
            bursts(AnnouncementConfig(count: 5, repeatAfter: .seconds(60), refresh: .seconds(60)), first: 3),
            [Burst(at: .zero, count: 5), Burst(at: .seconds(60), count: 5), Burst(at: .seconds(120), count: 1)])
    }

    func testRefreshAloneWhenTakeoverBurstsAreOff() {
        XCTAssertEqual(
            bursts(AnnouncementConfig(count: 0, refresh: .seconds(30)), first: 2),
            [Burst(at: .seconds(30), count: 1), Burst(at: .seconds(60), count: 1)])
    }
}
