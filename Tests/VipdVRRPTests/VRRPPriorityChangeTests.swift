import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

final class VRRPPriorityChangeTests: XCTestCase {
    func testMasterAdvertisesItsLoweredPriorityAndAPreemptingBackupTakesOver() {
        let masterSettings = makeSettings(priority: 150, primaryAddress: higherPeer)
        var master = Machine(settings: masterSettings)
        _ = master.start(now: at(.zero))
        let masterAt = master.nextDeadline!
        _ = master.timerFired(now: masterAt)
        XCTAssertEqual(master.priorityChanged(to: 50, now: masterAt), [])
        XCTAssertEqual(master.effectivePriority, 50)
        XCTAssertEqual(master.state, .master)
        let actions = master.timerFired(now: masterAt.advanced(by: .seconds(1)))
        XCTAssertEqual(actions.first, .sendAdvertisement(ourAdvertisement(masterSettings, priority: 50)))

        // The backup (priority 100, preempt) ignores the priority-50 advertisements and takes over.
        let settings = makeSettings()
        var backup = backupMachine(settings)
        _ = backup.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 1))
        XCTAssertEqual(backup.advertisementReceived(packet(for: settings, from: higherPeer, priority: 50), now: at(seconds: 2)), [])
        XCTAssertEqual(
            backup.timerFired(now: at(.seconds(1) + v2DownInterval)).first,
            transition(.backup, .master, .preempted(master: higherPeer, masterPriority: 50, ourPriority: 100)))
    }

    func testBackupThatRisesAboveTheMasterPreemptsAtItsNextAdvertisement() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 120), now: at(seconds: 1))
        XCTAssertEqual(machine.priorityChanged(to: 150, now: at(.milliseconds(1_500))), [])
        XCTAssertEqual(machine.state, .backup)
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 120), now: at(seconds: 2)), [])
        XCTAssertEqual(
            machine.timerFired(now: at(.seconds(1) + v2DownInterval)).first,
            transition(.backup, .master, .preempted(master: higherPeer, masterPriority: 120, ourPriority: 150)))
    }

    func testBackupWithoutPreemptStaysBackupWhenItRises() {
        let settings = makeSettings(preempt: false)
        var machine = backupMachine(settings)
        _ = machine.priorityChanged(to: 200, now: at(.zero))
        let now = at(seconds: 1)
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 120), now: now),
            // Skew_Time follows the effective priority: 56/256 s.
            [.wakeUp(at: now.advanced(by: .nanoseconds(3_218_750_000)))])
    }

    func testEffectivePriorityIsClampedForNonOwners() {
        var machine = Machine(settings: makeSettings())
        _ = machine.priorityChanged(to: 0, now: at(.zero))
        XCTAssertEqual(machine.effectivePriority, 1)
        _ = machine.priorityChanged(to: 255, now: at(.zero))
        XCTAssertEqual(machine.effectivePriority, 254)
        _ = machine.priorityChanged(to: 77, now: at(.zero))
        XCTAssertEqual(machine.effectivePriority, 77)
    }

    func testAddressOwnerKeeps255() {
        var machine = Machine(settings: makeSettings(priority: 255))
        _ = machine.priorityChanged(to: 10, now: at(.zero))
        XCTAssertEqual(machine.effectivePriority, 255)
    }
}
