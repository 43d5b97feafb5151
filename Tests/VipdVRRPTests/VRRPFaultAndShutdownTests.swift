import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

final class VRRPFaultTests: XCTestCase {
    private let reason = "interface eth0 down"

    func testFaultBeforeStartIsRememberedAndStartEntersFault() {
        var machine = Machine(settings: makeSettings())
        XCTAssertEqual(machine.faultDetected(reason: reason, now: at(.zero)), [])
        XCTAssertEqual(machine.state, .initialize)
        XCTAssertEqual(machine.faultReason, reason)
        XCTAssertEqual(machine.start(now: at(seconds: 1)), [transition(.initialize, .fault, .fault(reason))])
        XCTAssertEqual(machine.state, .fault)
        XCTAssertNil(machine.nextDeadline)
    }

    func testFaultClearedBeforeStartIsForgotten() {
        var machine = Machine(settings: makeSettings())
        _ = machine.faultDetected(reason: reason, now: at(.zero))
        XCTAssertEqual(machine.faultCleared(now: at(.zero)), [])
        XCTAssertNil(machine.faultReason)
        XCTAssertEqual(machine.start(now: at(.zero)).first, transition(.initialize, .backup, .started))
    }

    func testBackupToFault() {
        var machine = backupMachine(makeSettings())
        XCTAssertEqual(
            machine.faultDetected(reason: reason, now: at(seconds: 1)),
            [transition(.backup, .fault, .fault(reason)), .cancelWakeUp])
        XCTAssertEqual(machine.state, .fault)
        XCTAssertNil(machine.nextDeadline)
        XCTAssertEqual(machine.timerFired(now: at(seconds: 100)), [])
    }

    func testMasterToFaultSendsPriorityZeroThenRemovesAddresses() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let actions = machine.faultDetected(reason: reason, now: since.advanced(by: .milliseconds(100)))
        XCTAssertEqual(
            actions,
            [
                transition(.master, .fault, .fault(reason)), .sendAdvertisement(ourAdvertisement(settings, priority: 0)),
                .removeVirtualAddresses, .cancelWakeUp,
            ])
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(change.logLine(instance: "VI_1"), "VI_1: MASTER -> FAULT (fault: interface eth0 down)")
        XCTAssertEqual(machine.counters.priorityZeroSent, 1)
    }

    func testHandingOverToFaultEndsTheHandover() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        _ = machine.beginHandover(now: since)
        XCTAssertEqual(
            machine.faultDetected(reason: reason, now: since.advanced(by: .milliseconds(100))),
            [
                transition(.master, .fault, .fault(reason)), .sendAdvertisement(ourAdvertisement(settings, priority: 0)),
                .removeVirtualAddresses, .handoverFinished(newMaster: nil), .cancelWakeUp,
            ])
        XCTAssertFalse(machine.isHandingOver)
    }

    func testFaultInFaultOnlyUpdatesTheReason() {
        var machine = backupMachine(makeSettings())
        _ = machine.faultDetected(reason: reason, now: at(seconds: 1))
        XCTAssertEqual(machine.faultDetected(reason: "script chk down", now: at(seconds: 2)), [])
        XCTAssertEqual(machine.faultReason, "script chk down")
        XCTAssertEqual(machine.state, .fault)
    }

    func testAdvertisementsInFaultAreIgnored() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        _ = machine.faultDetected(reason: reason, now: at(seconds: 1))
        for priority: UInt8 in [0, 50, 150, 255] {
            XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: priority), now: at(seconds: 2)), [])
        }
        XCTAssertEqual(machine.state, .fault)
        XCTAssertNil(machine.masterAddress)
    }

    func testFaultClearedGoesToBackup() {
        var machine = backupMachine(makeSettings())
        _ = machine.faultDetected(reason: reason, now: at(seconds: 1))
        XCTAssertEqual(
            machine.faultCleared(now: at(seconds: 5)),
            [transition(.fault, .backup, .faultCleared), .wakeUp(at: at(.seconds(5) + v2DownInterval))])
        XCTAssertNil(machine.faultReason)
        XCTAssertEqual(machine.state, .backup)
    }

    func testFaultClearedOwnerGoesToMaster() {
        let settings = makeSettings(priority: 255)
        var machine = Machine(settings: settings)
        _ = machine.start(now: at(.zero))
        _ = machine.faultDetected(reason: reason, now: at(seconds: 1))
        XCTAssertEqual(
            machine.faultCleared(now: at(seconds: 5)),
            [
                transition(.fault, .master, .faultCleared), .addVirtualAddresses, .announceVirtualAddresses,
                .sendAdvertisement(ourAdvertisement(settings, priority: 255)), .wakeUp(at: at(seconds: 6)),
            ])
    }

    func testFaultClearedWithoutFaultDoesNothing() {
        var machine = backupMachine(makeSettings())
        XCTAssertEqual(machine.faultCleared(now: at(seconds: 1)), [])
        XCTAssertEqual(machine.state, .backup)
        var (master, since) = masterMachine(makeSettings())
        XCTAssertEqual(master.faultCleared(now: since), [])
        XCTAssertEqual(master.state, .master)
    }
}

final class VRRPShutdownTests: XCTestCase {
    func testShutdownInInitDoesNothing() {
        var machine = Machine(settings: makeSettings())
        XCTAssertEqual(machine.shutdown(now: at(.zero)), [])
    }

    func testShutdownFromBackup() {
        var machine = backupMachine(makeSettings())
        XCTAssertEqual(machine.shutdown(now: at(seconds: 1)), [transition(.backup, .initialize, .shutdown), .cancelWakeUp])
        XCTAssertEqual(machine.state, .initialize)
        XCTAssertNil(machine.nextDeadline)
    }

    func testShutdownFromMasterSendsPriorityZeroAndRemovesAddresses() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let actions = machine.shutdown(now: since)
        XCTAssertEqual(
            actions,
            [
                transition(.master, .initialize, .shutdown), .sendAdvertisement(ourAdvertisement(settings, priority: 0)),
                .removeVirtualAddresses, .cancelWakeUp,
            ])
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(change.logLine(instance: "VI_1"), "VI_1: MASTER -> INIT (shutdown)")
    }

    func testShutdownFromFault() {
        var machine = backupMachine(makeSettings())
        _ = machine.faultDetected(reason: "x", now: at(seconds: 1))
        XCTAssertEqual(machine.shutdown(now: at(seconds: 2)), [transition(.fault, .initialize, .shutdown)])
    }

    func testShutdownWhileHandingOver() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        _ = machine.beginHandover(now: since)
        XCTAssertEqual(
            machine.shutdown(now: since.advanced(by: .milliseconds(100))),
            [
                transition(.master, .initialize, .shutdown), .sendAdvertisement(ourAdvertisement(settings, priority: 0)),
                .removeVirtualAddresses, .handoverFinished(newMaster: nil), .cancelWakeUp,
            ])
    }

    func testRestartAfterShutdown() {
        var machine = backupMachine(makeSettings())
        _ = machine.shutdown(now: at(seconds: 1))
        XCTAssertEqual(
            machine.start(now: at(seconds: 2)),
            [transition(.initialize, .backup, .started), .wakeUp(at: at(.seconds(2) + v2DownInterval))])
    }

    func testFaultSurvivesShutdown() {
        var machine = backupMachine(makeSettings())
        _ = machine.faultDetected(reason: "pool ssh down", now: at(seconds: 1))
        _ = machine.shutdown(now: at(seconds: 2))
        XCTAssertEqual(machine.start(now: at(seconds: 3)), [transition(.initialize, .fault, .fault("pool ssh down"))])
    }

    func testShutdownForgetsTheMaster() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 1))
        _ = machine.shutdown(now: at(seconds: 2))
        XCTAssertNil(machine.masterAddress)
        XCTAssertNil(machine.masterPriority)
    }
}
