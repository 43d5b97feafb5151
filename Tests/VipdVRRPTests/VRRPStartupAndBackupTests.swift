import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// RFC 6.4.1 (Initialize) and 6.4.2 (Backup), both versions.
final class VRRPStartupTests: XCTestCase {
    func testNonOwnerStartsAsBackupWithMasterDownTimerV2() {
        var machine = Machine(settings: makeSettings())
        XCTAssertEqual(machine.state, .initialize)
        XCTAssertNil(machine.nextDeadline)
        XCTAssertEqual(
            machine.start(now: at(.zero)),
            [transition(.initialize, .backup, .started), .wakeUp(at: at(v2DownInterval))])
        XCTAssertEqual(machine.state, .backup)
        XCTAssertEqual(machine.nextDeadline, at(.nanoseconds(3_609_375_000)))
        XCTAssertEqual(machine.effectivePriority, 100)
        XCTAssertNil(machine.masterAddress)
        XCTAssertEqual(machine.masterAdvertisementInterval, .seconds(1))
    }

    func testNonOwnerStartsAsBackupWithMasterDownTimerV3() {
        var machine = Machine(settings: makeSettings(version: .v3))
        XCTAssertEqual(
            machine.start(now: at(seconds: 10)),
            [transition(.initialize, .backup, .started), .wakeUp(at: at(.seconds(10) + v3DownInterval))])
    }

    func testOwnerStartsAsMaster() {
        for version in VRRPVersion.allCases {
            let settings = makeSettings(version: version, priority: 255)
            var machine = Machine(settings: settings)
            XCTAssertEqual(
                machine.start(now: at(.zero)),
                [
                    transition(.initialize, .master, .addressOwner), .addVirtualAddresses(previousOwner: nil), .announceVirtualAddresses,
                    .sendAdvertisement(ourAdvertisement(settings, priority: 255)), .wakeUp(at: at(seconds: 1)),
                ])
            XCTAssertEqual(machine.state, .master)
            XCTAssertEqual(machine.effectivePriority, 255)
            XCTAssertNil(machine.masterAddress)
        }
    }

    func testStartIsIgnoredOnceRunning() {
        var machine = backupMachine(makeSettings())
        XCTAssertEqual(machine.start(now: at(seconds: 1)), [])
        XCTAssertEqual(machine.nextDeadline, at(v2DownInterval))
    }

    func testAdvertisementsBeforeStartAreIgnored() {
        let settings = makeSettings()
        var machine = Machine(settings: settings)
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(.zero)), [])
        XCTAssertEqual(machine.timerFired(now: at(seconds: 100)), [])
        XCTAssertEqual(machine.state, .initialize)
        XCTAssertEqual(machine.counters.advertisementsReceived, 1)
    }
}

final class VRRPBackupTests: XCTestCase {
    func testMasterDownTimerWithoutAnyMasterMakesUsMaster() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        let actions = machine.timerFired(now: at(v2DownInterval))
        XCTAssertEqual(
            actions,
            [
                transition(.backup, .master, .masterDownTimerExpired(lastMaster: nil, silentFor: v2DownInterval)),
                .addVirtualAddresses(previousOwner: nil), .announceVirtualAddresses,
                .sendAdvertisement(ourAdvertisement(settings, priority: 100)),
                .wakeUp(at: at(v2DownInterval + .seconds(1))),
            ])
        XCTAssertEqual(machine.state, .master)
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(
            change.logLine(instance: settings.name),
            "VI_1: BACKUP -> MASTER (master down timer expired: no advertisement for 3.61 s)")
    }

    func testSilentMasterIsReportedWhenWeTakeOver() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        let heardAt = at(.milliseconds(500))
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: heardAt),
            [.wakeUp(at: heardAt.advanced(by: v2DownInterval))])
        XCTAssertEqual(machine.masterAddress, higherPeer)
        XCTAssertEqual(machine.masterPriority, 150)
        let actions = machine.timerFired(now: heardAt.advanced(by: v2DownInterval))
        XCTAssertEqual(
            actions,
            [
                transition(.backup, .master, .masterDownTimerExpired(lastMaster: higherPeer, silentFor: v2DownInterval)),
                .peerWentSilent(higherPeer), .addVirtualAddresses(previousOwner: nil), .announceVirtualAddresses,
                .sendAdvertisement(ourAdvertisement(settings, priority: 100)),
                .wakeUp(at: heardAt.advanced(by: v2DownInterval + .seconds(1))),
            ])
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(
            change.logLine(instance: "VI_1"),
            "VI_1: BACKUP -> MASTER (master down timer expired: no advertisement from 10.0.0.3 for 3.61 s)")
        XCTAssertNil(machine.masterAddress)
    }

    func testTimerFiredEarlyOrLateStillMeasuresTheSilence() {
        var machine = backupMachine(makeSettings())
        XCTAssertEqual(machine.timerFired(now: at(seconds: 3)), [])
        XCTAssertEqual(machine.state, .backup)
        let late = machine.timerFired(now: at(seconds: 5))
        XCTAssertEqual(late.first, transition(.backup, .master, .masterDownTimerExpired(lastMaster: nil, silentFor: .seconds(5))))
    }

    func testAdvertisementsKeepUsBackup() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        for second in 1...20 {
            let now = at(seconds: second)
            XCTAssertEqual(machine.timerFired(now: now), [])
            XCTAssertEqual(
                machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: now),
                [.wakeUp(at: now.advanced(by: v2DownInterval))])
        }
        XCTAssertEqual(machine.state, .backup)
        XCTAssertEqual(machine.counters.advertisementsReceived, 20)
        XCTAssertEqual(machine.counters.transitions.total, 1)
    }

    func testPriorityZeroShortensTheTimerToSkewTimeV2() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 1))
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 0), now: at(seconds: 2)),
            [.wakeUp(at: at(.seconds(2) + .nanoseconds(609_375_000)))])
        XCTAssertEqual(machine.counters.priorityZeroReceived, 1)
        XCTAssertEqual(
            machine.timerFired(now: at(.seconds(2) + .nanoseconds(609_375_000))),
            [
                transition(.backup, .master, .masterLeft(higherPeer)), .addVirtualAddresses(previousOwner: higherPeer), .announceVirtualAddresses,
                .sendAdvertisement(ourAdvertisement(settings, priority: 100)),
                .wakeUp(at: at(.seconds(3) + .nanoseconds(609_375_000))),
            ])
    }

    func testPriorityZeroUsesTheMasterIntervalForSkewTimeV3() {
        let settings = makeSettings(version: .v3)
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(
            packet(for: settings, from: higherPeer, priority: 150, interval: .seconds(2)), now: at(seconds: 1))
        // 156 * 200 / 256 = 121 cs.
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: higherPeer, priority: 0, interval: .seconds(2)), now: at(seconds: 2)),
            [.wakeUp(at: at(.milliseconds(3_210)))])
    }

    func testPreemptFalseAcceptsALowerPriorityMaster() {
        let settings = makeSettings(preempt: false)
        var machine = backupMachine(settings)
        for second in 1...10 {
            let now = at(seconds: second)
            XCTAssertEqual(machine.timerFired(now: now), [])
            XCTAssertEqual(
                machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: now),
                [.wakeUp(at: now.advanced(by: v2DownInterval))])
        }
        XCTAssertEqual(machine.state, .backup)
        XCTAssertEqual(machine.masterAddress, lowerPeer)
    }

    func testPreemptTrueIgnoresALowerPriorityMasterAndTakesOver() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 1)), [])
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 2)), [])
        XCTAssertEqual(machine.masterAddress, lowerPeer)
        XCTAssertEqual(machine.nextDeadline, at(v2DownInterval))
        XCTAssertEqual(
            machine.timerFired(now: at(v2DownInterval)),
            [
                transition(.backup, .master, .preempted(master: lowerPeer, masterPriority: 50, ourPriority: 100)),
                .addVirtualAddresses(previousOwner: lowerPeer), .announceVirtualAddresses,
                .sendAdvertisement(ourAdvertisement(settings, priority: 100)),
                .wakeUp(at: at(v2DownInterval + .seconds(1))),
            ])
    }

    func testEqualPriorityIsAcceptedInBackupWhateverTheAddress() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 100), now: at(seconds: 1)),
            [.wakeUp(at: at(.seconds(1) + v2DownInterval))])
    }

    func testVersion3BackupAdoptsTheMasterInterval() {
        let settings = makeSettings(version: .v3)
        var machine = backupMachine(settings)
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: higherPeer, priority: 150, interval: .seconds(2)), now: at(seconds: 1)),
            // 600 cs + 121 cs.
            [.wakeUp(at: at(.milliseconds(8_210)))])
        XCTAssertEqual(machine.masterAdvertisementInterval, .seconds(2))
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: higherPeer, priority: 150, interval: .milliseconds(500)), now: at(seconds: 2)),
            [.wakeUp(at: at(.milliseconds(3_800)))])
        XCTAssertEqual(machine.masterAdvertisementInterval, .milliseconds(500))
    }

    func testVersion3BackupDoesNotAdoptTheIntervalOfAnIgnoredAdvertisement() {
        let settings = makeSettings(version: .v3)
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(
            packet(for: settings, from: lowerPeer, priority: 50, interval: .seconds(2)), now: at(seconds: 1))
        XCTAssertEqual(machine.masterAdvertisementInterval, .seconds(1))
    }

    func testVersion3MasterIntervalResetsWhenWeBecomeMaster() {
        let settings = makeSettings(version: .v3)
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(
            packet(for: settings, from: higherPeer, priority: 150, interval: .seconds(2)), now: at(seconds: 1))
        let actions = machine.timerFired(now: at(.milliseconds(8_210)))
        XCTAssertEqual(actions.last, .wakeUp(at: at(.milliseconds(9_210))))
        XCTAssertEqual(machine.masterAdvertisementInterval, .seconds(1))
    }
}

/// keepalived's preempt_delay: a lower-priority master is accepted until the delay has passed since
/// entering BACKUP or since first seeing it after a higher master.
final class VRRPPreemptDelayTests: XCTestCase {
    func testLowerMasterIsAcceptedUntilTheDelayAfterStartupHasPassed() {
        let settings = makeSettings(preemptDelay: .seconds(10))
        var machine = backupMachine(settings)
        for second in 1...9 {
            let now = at(seconds: second)
            XCTAssertEqual(
                machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: now),
                [.wakeUp(at: now.advanced(by: v2DownInterval))], "second \(second)")
        }
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 10)), [])
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 11)), [])
        let actions = machine.timerFired(now: at(.seconds(9) + v2DownInterval))
        XCTAssertEqual(actions.first, transition(.backup, .master, .preempted(master: lowerPeer, masterPriority: 50, ourPriority: 100)))
        XCTAssertFalse(actions.contains(.peerWentSilent(lowerPeer)))
    }

    func testDelayRestartsWhenALowerMasterFollowsAHigherOne() {
        let settings = makeSettings(preemptDelay: .seconds(10))
        var machine = backupMachine(settings)
        for second in 1...19 {
            _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: second))
        }
        // The higher master left; a lower one took over at t=20: the delay counts from then.
        for second in 20...29 {
            let now = at(seconds: second)
            XCTAssertEqual(
                machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: now),
                [.wakeUp(at: now.advanced(by: v2DownInterval))], "second \(second)")
        }
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 30)), [])
        XCTAssertEqual(machine.state, .backup)
    }

    func testNoDelayWithoutPreempt() {
        let settings = makeSettings(preempt: false, preemptDelay: .seconds(10))
        var machine = backupMachine(settings)
        for second in 1...30 {
            let now = at(seconds: second)
            XCTAssertEqual(
                machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: now),
                [.wakeUp(at: now.advanced(by: v2DownInterval))])
        }
    }

    func testNoMasterAtAllStillTakesOverAtTheDownTimer() {
        var machine = backupMachine(makeSettings(preemptDelay: .seconds(60)))
        XCTAssertEqual(machine.timerFired(now: at(v2DownInterval)).first,
                       transition(.backup, .master, .masterDownTimerExpired(lastMaster: nil, silentFor: v2DownInterval)))
    }

    func testDelayRestartsAfterAFault() {
        let settings = makeSettings(preemptDelay: .seconds(10))
        var machine = backupMachine(settings)
        _ = machine.faultDetected(reason: "interface eth0 down", now: at(seconds: 20))
        _ = machine.faultCleared(now: at(seconds: 30))
        let now = at(seconds: 35)
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: now),
            [.wakeUp(at: now.advanced(by: v2DownInterval))])
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 40)), [])
    }
}
