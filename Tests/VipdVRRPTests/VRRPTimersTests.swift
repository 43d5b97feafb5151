import VipdVRRP
import VipdVRRPPacket
import XCTest

final class VRRPStateTests: XCTestCase {
    func testDescriptionsAreKeepalivedNames() {
        XCTAssertEqual(VRRPState.allCases.map(\.description), ["INIT", "BACKUP", "MASTER", "FAULT"])
    }
}

final class VRRPTimersTests: XCTestCase {
    func testV2SkewIsExactFractionOfASecond() {
        XCTAssertEqual(
            VRRPTimers.skewTime(version: .v2, priority: 100, masterAdvertisementInterval: .seconds(1)),
            .nanoseconds(609_375_000))
        XCTAssertEqual(
            VRRPTimers.skewTime(version: .v2, priority: 255, masterAdvertisementInterval: .seconds(1)),
            .nanoseconds(3_906_250))
        XCTAssertEqual(
            VRRPTimers.skewTime(version: .v2, priority: 1, masterAdvertisementInterval: .seconds(1)),
            .nanoseconds(996_093_750))
    }

    func testV2SkewDoesNotDependOnTheInterval() {
        XCTAssertEqual(
            VRRPTimers.skewTime(version: .v2, priority: 100, masterAdvertisementInterval: .seconds(5)),
            .nanoseconds(609_375_000))
    }

    func testV2MasterDownInterval() {
        XCTAssertEqual(
            VRRPTimers.masterDownInterval(version: .v2, priority: 100, masterAdvertisementInterval: .seconds(1)),
            .nanoseconds(3_609_375_000))
        // 3 * 3 s + 56/256 s.
        XCTAssertEqual(
            VRRPTimers.masterDownInterval(version: .v2, priority: 200, masterAdvertisementInterval: .seconds(3)),
            .nanoseconds(9_218_750_000))
    }

    func testV3SkewScalesWithTheMasterIntervalInWholeCentiseconds() {
        // 156 * 100 / 256 = 60.9375 -> 60 cs.
        XCTAssertEqual(
            VRRPTimers.skewTime(version: .v3, priority: 100, masterAdvertisementInterval: .seconds(1)),
            .milliseconds(600))
        // 156 * 200 / 256 = 121.875 -> 121 cs.
        XCTAssertEqual(
            VRRPTimers.skewTime(version: .v3, priority: 100, masterAdvertisementInterval: .seconds(2)),
            .milliseconds(1_210))
        // 1 * 100 / 256 -> 0 cs.
        XCTAssertEqual(
            VRRPTimers.skewTime(version: .v3, priority: 255, masterAdvertisementInterval: .seconds(1)), .zero)
    }

    func testV3MasterDownInterval() {
        XCTAssertEqual(
            VRRPTimers.masterDownInterval(version: .v3, priority: 100, masterAdvertisementInterval: .seconds(1)),
            .milliseconds(3_600))
        // 50 cs: 150 cs + 156 * 50 / 256 = 30 cs.
        XCTAssertEqual(
            VRRPTimers.masterDownInterval(version: .v3, priority: 100, masterAdvertisementInterval: .milliseconds(500)),
            .milliseconds(1_800))
        // The largest VRRPv3 interval, 4095 cs, priority 1: 12285 cs + 4079 cs.
        XCTAssertEqual(
            VRRPTimers.masterDownInterval(version: .v3, priority: 1, masterAdvertisementInterval: .milliseconds(40_950)),
            .milliseconds(163_640))
    }

    func testV3TruncatesSubCentisecondIntervals() {
        XCTAssertEqual(
            VRRPTimers.masterDownInterval(version: .v3, priority: 100, masterAdvertisementInterval: .milliseconds(1_005)),
            .milliseconds(3_600))
    }

    func testDefaultHandoverTimeoutOutlastsTheSlowestBackup() {
        XCTAssertEqual(
            VRRPInstanceSettings.defaultHandoverTimeout(version: .v2, advertisementInterval: .seconds(1)),
            .nanoseconds(4_996_093_750))
        XCTAssertEqual(
            VRRPInstanceSettings.defaultHandoverTimeout(version: .v3, advertisementInterval: .seconds(1)),
            .milliseconds(4_990))
        XCTAssertEqual(makeSettings().handoverTimeout, .nanoseconds(4_996_093_750))
        XCTAssertEqual(makeSettings(handoverTimeout: .seconds(2)).handoverTimeout, .seconds(2))
        for priority in [UInt8(1), 100, 254] {
            for version in VRRPVersion.allCases {
                let down = VRRPTimers.masterDownInterval(
                    version: version, priority: priority, masterAdvertisementInterval: .seconds(1))
                XCTAssertGreaterThan(makeSettings(version: version).handoverTimeout, down)
            }
        }
    }

    func testSettingsDefaults() {
        let settings = VRRPInstanceSettings(
            name: "VI_1", version: .v3, virtualRouterID: 51, primaryAddress: ourAddress,
            virtualAddresses: [virtualAddress])
        XCTAssertEqual(settings.priority, 100)
        XCTAssertEqual(settings.advertisementInterval, .seconds(1))
        XCTAssertTrue(settings.preempt)
        XCTAssertEqual(settings.preemptDelay, .zero)
        XCTAssertEqual(settings.authentication, .none)
        XCTAssertEqual(settings.unicastPeers, [])
        XCTAssertFalse(settings.isAddressOwner)
        XCTAssertTrue(makeSettings(priority: 255).isAddressOwner)
    }
}
