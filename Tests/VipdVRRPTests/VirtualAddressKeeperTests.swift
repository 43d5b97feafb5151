import VipdConfig
import VipdCore
import VipdVRRP
import XCTest

/// Which virtual addresses another program took away from a master, and which removals are vipd's own.
final class VirtualAddressKeeperTests: XCTestCase {
    private typealias Keeper = VirtualAddressKeeper<TestClock.Instant>
    private let vip4 = IPPrefix(parsing: "10.0.0.100/24")!
    private let vip4b = IPPrefix(parsing: "10.0.0.101/24")!
    private let vip6 = IPPrefix(parsing: "2001:db8::100/64")!

    private func holding(_ addresses: [IPPrefix]? = nil, since start: TestClock.Instant = at(seconds: 0)) -> Keeper {
        var keeper = Keeper(addresses: addresses ?? [vip4, vip4b])
        keeper.added(now: start)
        return keeper
    }

    func testNothingIsKeptBeforeVipdAddsTheAddresses() {
        var keeper = Keeper(addresses: [vip4])
        XCTAssertFalse(keeper.isHolding)
        XCTAssertNil(keeper.removalNotified(of: vip4.address, now: at(seconds: 1)))
        XCTAssertNil(keeper.removalNotified(of: nil, now: at(seconds: 1)))
        XCTAssertFalse(keeper.isCheckDue(now: at(seconds: 100)))
        XCTAssertEqual(keeper.check(present: [], now: at(seconds: 100)), [], "a backup has nothing to put back")
    }

    func testARemovalOfAKeptAddressAsksForACheckAfterTheSettleDelay() {
        var keeper = holding()
        XCTAssertFalse(keeper.isCheckDue(now: at(seconds: 1)))
        let checkAt = keeper.removalNotified(of: vip4.address, now: at(seconds: 1))
        XCTAssertEqual(checkAt, at(.seconds(1) + Keeper.settleDelay))
        XCTAssertFalse(keeper.isCheckDue(now: at(seconds: 1)))
        XCTAssertTrue(keeper.isCheckDue(now: checkAt!))
        XCTAssertEqual(keeper.check(present: [vip4b.address], now: checkAt!), [vip4])
        XCTAssertFalse(keeper.isCheckDue(now: checkAt!), "the check is done")
    }

    func testAFlushAsksForOneCheck() {
        var keeper = holding()
        let first = keeper.removalNotified(of: vip4.address, now: at(seconds: 1))
        XCTAssertNotNil(first)
        XCTAssertNil(keeper.removalNotified(of: vip4b.address, now: at(.milliseconds(1_010))), "already pending")
        XCTAssertNil(keeper.removalNotified(of: nil, now: at(.milliseconds(1_020))), "already pending")
        XCTAssertEqual(keeper.check(present: [], now: first!), [vip4, vip4b])
        XCTAssertNotNil(keeper.removalNotified(of: vip4.address, now: at(seconds: 2)), "a later removal asks again")
    }

    func testOtherAddressesAreNoneOfItsBusinessButLostNotificationsAre() {
        var keeper = holding()
        XCTAssertNil(keeper.removalNotified(of: IPAddress("10.0.0.2")!, now: at(seconds: 1)), "the node's own address")
        XCTAssertNil(keeper.removalNotified(of: IPAddress("10.0.0.102")!, now: at(seconds: 1)), "an address vipd does not keep")
        XCTAssertNotNil(keeper.removalNotified(of: nil, now: at(seconds: 1)), "lost notifications may hide a removal")
    }

    func testRemovalsVipdMakesItselfAreNotRestored() {
        var keeper = holding()
        keeper.removing()
        XCTAssertFalse(keeper.isHolding)
        XCTAssertNil(keeper.removalNotified(of: vip4.address, now: at(seconds: 1)), "vipd's own removal")
        XCTAssertEqual(keeper.check(present: [], now: at(seconds: 1)), [])
        XCTAssertEqual(keeper.restoredCount, 0)
    }

    func testLeavingMasterDropsAPendingCheck() {
        var keeper = holding()
        let checkAt = keeper.removalNotified(of: vip4.address, now: at(seconds: 1))!
        keeper.removing()
        XCTAssertFalse(keeper.isCheckDue(now: checkAt))
        keeper.added(now: at(seconds: 2))
        XCTAssertFalse(keeper.isCheckDue(now: at(seconds: 2)), "the addresses were just added")
    }

    /// vipd leaves master and comes back at once: the notification of its own removal arrives after
    /// it added the addresses again. It asks for a check, which finds them there.
    func testALateNotificationOfVipdsOwnRemovalFindsTheAddressesBack() {
        var keeper = holding()
        keeper.removing()
        keeper.added(now: at(seconds: 1))
        let checkAt = keeper.removalNotified(of: vip4.address, now: at(.milliseconds(1_001)))!
        XCTAssertEqual(keeper.check(present: [vip4.address, vip4b.address], now: checkAt), [])
        XCTAssertEqual(keeper.restoredCount, 0)
    }

    func testAnAddressPresentWithAnotherPrefixLengthIsLeftAlone() {
        var keeper = holding([vip4])
        XCTAssertEqual(keeper.check(present: [IPAddress("10.0.0.100")!], now: at(seconds: 1)), [])
    }

    func testIPv6AddressesAreKeptTheSameWay() {
        var keeper = holding([vip6])
        XCTAssertNotNil(keeper.removalNotified(of: vip6.address, now: at(seconds: 1)))
        XCTAssertEqual(keeper.check(present: [IPAddress("fe80::1")!], now: at(seconds: 2)), [vip6])
    }

    func testTheSafetyCheckComesEverySafetyIntervalWhileHolding() {
        var keeper = holding(since: at(seconds: 0))
        XCTAssertFalse(keeper.isCheckDue(now: at(Keeper.safetyInterval - .milliseconds(1))))
        XCTAssertTrue(keeper.isCheckDue(now: at(Keeper.safetyInterval)))
        XCTAssertEqual(keeper.check(present: [vip4.address, vip4b.address], now: at(Keeper.safetyInterval)), [])
        XCTAssertFalse(keeper.isCheckDue(now: at(Keeper.safetyInterval + .seconds(1))))
        XCTAssertTrue(keeper.isCheckDue(now: at(Keeper.safetyInterval * 2)))
    }

    func testTheFirstRestoreOfEachAddressIsReportedAtLengthAndEveryOneCounted() {
        var keeper = holding()
        XCTAssertTrue(keeper.restored(vip4))
        XCTAssertTrue(keeper.restored(vip4b))
        XCTAssertFalse(keeper.restored(vip4))
        keeper.removing()
        keeper.added(now: at(seconds: 5))
        XCTAssertFalse(keeper.restored(vip4b), "once per run of vipd, not per time as master")
        XCTAssertEqual(keeper.restoredCount, 4)
    }
}
