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
        XCTAssertEqual(
            machine.start(now: at(seconds: 1)),
            [transition(.initialize, .fault, .fault(reason)), .wakeUp(at: at(.seconds(1) + v2DownInterval))])
        XCTAssertEqual(machine.state, .fault)
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
            [transition(.backup, .fault, .fault(reason)), .wakeUp(at: at(.seconds(1) + v2DownInterval))])
        XCTAssertEqual(machine.state, .fault)
    }

    func testInFaultNoMasterForAMasterDownIntervalIsReportedOnceAndAMasterHeardAgainToo() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        _ = machine.faultDetected(reason: reason, now: at(seconds: 1))
        // Nobody advertises: after Master_Down_Interval the VIP has no master; said once.
        XCTAssertEqual(machine.timerFired(now: at(seconds: 2)), [])
        XCTAssertEqual(
            machine.timerFired(now: at(.seconds(1) + v2DownInterval)),
            [.noMasterWhileInFault(silentFor: v2DownInterval), .cancelWakeUp])
        XCTAssertNil(machine.nextDeadline)
        XCTAssertEqual(machine.timerFired(now: at(seconds: 100)), [])
        // A master appears: said once, and the watch starts again.
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 200)),
            [.masterHeardWhileInFault(higherPeer), .wakeUp(at: at(.seconds(200) + v2DownInterval))])
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 201)),
            [.wakeUp(at: at(.seconds(201) + v2DownInterval))])
        XCTAssertEqual(machine.state, .fault)
    }

    func testInFaultAMasterKeepingTheAddressesIsNotReported() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        _ = machine.faultDetected(reason: reason, now: at(seconds: 1))
        for second in 2...20 {
            let actions = machine.timerFired(now: at(seconds: second))
                + machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: second))
            XCTAssertFalse(actions.contains { if case .noMasterWhileInFault = $0 { true } else { false } }, "\(second) s: \(actions)")
        }
        // A master leaving (priority 0) does not count as a master heard.
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 0), now: at(seconds: 21))
        XCTAssertEqual(
            machine.timerFired(now: at(.seconds(20) + v2DownInterval)),
            [.noMasterWhileInFault(silentFor: v2DownInterval), .cancelWakeUp])
    }

    func testMasterToFaultSendsPriorityZeroThenRemovesAddresses() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let actions = machine.faultDetected(reason: reason, now: since.advanced(by: .milliseconds(100)))
        XCTAssertEqual(
            actions,
            [
                transition(.master, .fault, .fault(reason)), .sendAdvertisement(ourAdvertisement(settings, priority: 0)),
                .removeVirtualAddresses(keepSessions: false), .wakeUp(at: since.advanced(by: .milliseconds(100) + v2DownInterval)),
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
                .removeVirtualAddresses(keepSessions: false), .handoverFinished(newMaster: nil),
                .wakeUp(at: since.advanced(by: .milliseconds(100) + v2DownInterval)),
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
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 0), now: at(seconds: 2)), [])
        for priority: UInt8 in [50, 150, 255] {
            // Only the watch for a VIP without a master moves.
            XCTAssertEqual(
                machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: priority), now: at(seconds: 2)),
                priority == 50 ? [.wakeUp(at: at(.seconds(2) + v2DownInterval))] : [])
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
                transition(.fault, .master, .faultCleared), .addVirtualAddresses(previousOwner: nil), .announceVirtualAddresses,
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
                .removeVirtualAddresses(keepSessions: true), .cancelWakeUp,
            ])
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(change.logLine(instance: "VI_1"), "VI_1: MASTER -> INIT (shutdown)")
    }

    func testShutdownFromFault() {
        var machine = backupMachine(makeSettings())
        _ = machine.faultDetected(reason: "x", now: at(seconds: 1))
        XCTAssertEqual(machine.shutdown(now: at(seconds: 2)), [transition(.fault, .initialize, .shutdown), .cancelWakeUp])
    }

    func testShutdownWhileHandingOver() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        _ = machine.beginHandover(now: since)
        XCTAssertEqual(
            machine.shutdown(now: since.advanced(by: .milliseconds(100))),
            [
                transition(.master, .initialize, .shutdown), .sendAdvertisement(ourAdvertisement(settings, priority: 0)),
                .removeVirtualAddresses(keepSessions: true), .handoverFinished(newMaster: nil), .cancelWakeUp,
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
        XCTAssertEqual(
            machine.start(now: at(seconds: 3)),
            [transition(.initialize, .fault, .fault("pool ssh down")), .wakeUp(at: at(.seconds(3) + v2DownInterval))])
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
