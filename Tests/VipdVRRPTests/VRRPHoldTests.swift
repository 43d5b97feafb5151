import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// The operator's hold (`vipd ctl handover` … `vipd ctl ready`).
final class VRRPHoldTests: XCTestCase {
    private let settings = makeSettings(handoverTimeout: .seconds(3))

    /// A master that began the hold's handover 200 ms after becoming master.
    private func holdingMaster() -> (machine: Machine, startedAt: TestClock.Instant) {
        var (machine, since) = masterMachine(settings)
        let startedAt = since.advanced(by: .milliseconds(200))
        XCTAssertEqual(
            machine.hold(now: startedAt),
            [.sendAdvertisement(ourAdvertisement(settings, priority: 0)), .wakeUp(at: startedAt.advanced(by: .seconds(3)))])
        XCTAssertTrue(machine.isHeld)
        XCTAssertTrue(machine.isHandingOver)
        XCTAssertEqual(machine.state, .master, "the addresses stay until the new master speaks")
        return (machine, startedAt)
    }

    func testMasterHandsOverAndStaysBackup() {
        var (machine, startedAt) = holdingMaster()
        let heard = startedAt.advanced(by: .milliseconds(700))
        let actions = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 90), now: heard)
        XCTAssertEqual(
            actions,
            [
                transition(.master, .backup, .handoverCompleted(newMaster: lowerPeer)), .removeVirtualAddresses(keepSessions: true),
                .handoverFinished(newMaster: lowerPeer), .wakeUp(at: heard.advanced(by: v2DownInterval)),
            ])
        XCTAssertEqual(machine.state, .backup)
        XCTAssertEqual(machine.masterAddress, lowerPeer)
        XCTAssertTrue(machine.isHeld)
    }

    func testHeldBackupDoesNotPreemptALowerPriorityMaster() {
        var (machine, startedAt) = holdingMaster()
        var now = startedAt.advanced(by: .milliseconds(700))
        _ = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 90), now: now)
        for _ in 0..<10 {
            now = now.advanced(by: .seconds(1))
            // Accepted as the master's advert: only the Master_Down_Timer restarts.
            XCTAssertEqual(
                machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 90), now: now),
                [.wakeUp(at: now.advanced(by: v2DownInterval))])
        }
        XCTAssertEqual(machine.state, .backup)
    }

    func testHeldBackupDoesNotTakeOverWhenTheMasterFallsSilent() {
        var machine = backupMachine(settings)
        XCTAssertEqual(machine.hold(now: at(.zero)), [])
        XCTAssertTrue(machine.isHeld)
        var deadline = machine.nextDeadline!
        for _ in 0..<5 {
            XCTAssertEqual(machine.timerFired(now: deadline), [.wakeUp(at: deadline.advanced(by: v2DownInterval))])
            deadline = machine.nextDeadline!
        }
        XCTAssertEqual(machine.state, .backup)
    }

    func testHeldBackupIgnoresAMasterLeaving() {
        var machine = backupMachine(settings)
        _ = machine.hold(now: at(.zero))
        _ = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 0), now: at(seconds: 1))
        _ = machine.timerFired(now: machine.nextDeadline!)
        XCTAssertEqual(machine.state, .backup)
    }

    func testReleaseLetsTheBackupTakeOverASilentMaster() {
        var machine = backupMachine(settings)
        _ = machine.hold(now: at(.zero))
        _ = machine.timerFired(now: machine.nextDeadline!)
        XCTAssertEqual(machine.releaseHold(now: at(seconds: 5)), [])
        XCTAssertFalse(machine.isHeld)
        let actions = machine.timerFired(now: machine.nextDeadline!)
        XCTAssertEqual(machine.state, .master)
        XCTAssertTrue(actions.contains(.addVirtualAddresses(previousOwner: nil)))
    }

    func testReleasePreemptsALowerPriorityMasterAgain() {
        var (machine, startedAt) = holdingMaster()
        var now = startedAt.advanced(by: .milliseconds(700))
        _ = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 90), now: now)
        _ = machine.releaseHold(now: now)
        now = now.advanced(by: .seconds(1))
        _ = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 90), now: now)
        _ = machine.timerFired(now: machine.nextDeadline!)
        XCTAssertEqual(machine.state, .master)
    }

    func testTimeoutWithoutANewMasterKeepsTheAddressesAndDropsTheHold() {
        var (machine, startedAt) = holdingMaster()
        let giveUp = startedAt.advanced(by: .seconds(3))
        XCTAssertEqual(
            machine.timerFired(now: giveUp),
            [
                .sendAdvertisement(ourAdvertisement(settings, priority: 100)), .handoverFinished(newMaster: nil),
                .wakeUp(at: giveUp.advanced(by: .seconds(1))),
            ])
        XCTAssertEqual(machine.state, .master)
        XCTAssertFalse(machine.isHeld)
        XCTAssertFalse(machine.isHandingOver)
    }

    func testReleaseDuringTheHandoverCallsItOff() {
        var (machine, startedAt) = holdingMaster()
        let now = startedAt.advanced(by: .milliseconds(500))
        XCTAssertEqual(
            machine.releaseHold(now: now),
            [
                .sendAdvertisement(ourAdvertisement(settings, priority: 100)), .handoverFinished(newMaster: nil),
                .wakeUp(at: now.advanced(by: .seconds(1))),
            ])
        XCTAssertEqual(machine.state, .master)
        XCTAssertFalse(machine.isHandingOver)
    }

    func testStopDuringTheHoldsHandoverEndsInInit() {
        var (machine, startedAt) = holdingMaster()
        XCTAssertEqual(machine.beginHandover(now: startedAt.advanced(by: .milliseconds(100))), [])
        XCTAssertFalse(machine.isHeld)
        let actions = machine.advertisementReceived(
            packet(for: settings, from: lowerPeer, priority: 90), now: startedAt.advanced(by: .milliseconds(300)))
        XCTAssertEqual(actions.first, transition(.master, .initialize, .handoverCompleted(newMaster: lowerPeer)))
        XCTAssertEqual(machine.state, .initialize)
    }

    func testHoldTwiceAndReleaseWithoutHoldDoNothing() {
        var (machine, startedAt) = holdingMaster()
        XCTAssertEqual(machine.hold(now: startedAt.advanced(by: .milliseconds(10))), [])
        var backup = backupMachine(settings)
        XCTAssertEqual(backup.releaseHold(now: at(seconds: 1)), [])
    }

    func testHeldAddressOwnerStartsAndRecoversAsBackup() {
        let owner = makeSettings(priority: 255)
        var machine = Machine(settings: owner)
        _ = machine.hold(now: at(.zero))
        _ = machine.start(now: at(.zero))
        XCTAssertEqual(machine.state, .backup)
        _ = machine.faultDetected(reason: "eth0 down", now: at(seconds: 1))
        _ = machine.faultCleared(now: at(seconds: 2))
        XCTAssertEqual(machine.state, .backup)
    }

    func testFaultWhileHeldKeepsTheHold() {
        var machine = backupMachine(settings)
        _ = machine.hold(now: at(.zero))
        _ = machine.faultDetected(reason: "eth0 down", now: at(seconds: 1))
        _ = machine.faultCleared(now: at(seconds: 2))
        XCTAssertTrue(machine.isHeld)
        _ = machine.timerFired(now: machine.nextDeadline!)
        XCTAssertEqual(machine.state, .backup)
    }
}
