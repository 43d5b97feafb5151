import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// A state machine in a sync group: it waits in BACKUP where it would become MASTER, until the group
/// promotes it, and a group's demotion takes a master to BACKUP.
final class VRRPSyncGroupMachineTests: XCTestCase {
    private func grouped(_ settings: VRRPInstanceSettings = makeSettings()) -> VRRPInstanceSettings {
        var settings = settings
        settings.syncGroup = "gateway"
        return settings
    }

    /// A grouped machine the group made MASTER when its down timer expired, and when.
    private func groupedMaster(_ settings: VRRPInstanceSettings) -> (machine: Machine, since: TestClock.Instant) {
        var machine = backupMachine(settings)
        let deadline = machine.nextDeadline!
        _ = machine.timerFired(now: deadline)
        _ = machine.syncGroupMaster(now: deadline)
        XCTAssertEqual(machine.state, .master)
        return (machine, deadline)
    }

    func testTheMasterDownTimerMakesItWaitInsteadOfTakingOver() {
        let settings = grouped()
        var machine = backupMachine(settings)
        XCTAssertFalse(machine.wantsMaster)
        XCTAssertEqual(machine.timerFired(now: at(v2DownInterval)), [.wakeUp(at: at(v2DownInterval * 2))])
        XCTAssertEqual(machine.state, .backup)
        XCTAssertTrue(machine.wantsMaster)
        // The timer keeps running and changes nothing while it waits.
        XCTAssertEqual(machine.timerFired(now: at(v2DownInterval * 2)), [.wakeUp(at: at(v2DownInterval * 3))])
        XCTAssertTrue(machine.wantsMaster)
        XCTAssertEqual(
            machine.syncGroupMaster(now: at(seconds: 11)),
            [
                transition(.backup, .master, .masterDownTimerExpired(lastMaster: nil, silentFor: v2DownInterval * 2)),
                .addVirtualAddresses(previousOwner: nil), .announceVirtualAddresses,
                .sendAdvertisement(ourAdvertisement(settings, priority: 100)), .wakeUp(at: at(seconds: 12)),
            ])
        XCTAssertFalse(machine.wantsMaster)
        XCTAssertEqual(machine.syncGroupMaster(now: at(seconds: 12)), [], "only a waiting BACKUP is promoted")
    }

    func testASilentMasterIsReportedWhenTheGroupTakesOver() {
        let settings = grouped()
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 1))
        _ = machine.timerFired(now: at(.seconds(1) + v2DownInterval))
        XCTAssertTrue(machine.wantsMaster)
        let actions = machine.syncGroupMaster(now: at(seconds: 6))
        XCTAssertEqual(
            Array(actions.prefix(2)),
            [
                transition(.backup, .master, .masterDownTimerExpired(lastMaster: higherPeer, silentFor: v2DownInterval)),
                .peerWentSilent(higherPeer),
            ])
    }

    func testAMasterHeardAgainEndsTheWait() {
        let settings = grouped()
        var machine = backupMachine(settings)
        _ = machine.timerFired(now: at(v2DownInterval))
        XCTAssertTrue(machine.wantsMaster)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 4))
        XCTAssertFalse(machine.wantsMaster)
        XCTAssertEqual(machine.syncGroupMaster(now: at(seconds: 5)), [])
        XCTAssertEqual(machine.state, .backup)
    }

    func testALeavingMasterIsThePreviousOwnerWhenTheGroupTakesOver() {
        let settings = grouped()
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 1))
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 0), now: at(seconds: 2))
        let skew = machine.nextDeadline!
        XCTAssertEqual(machine.timerFired(now: skew), [.wakeUp(at: skew.advanced(by: v2DownInterval))])
        XCTAssertTrue(machine.wantsMaster)
        XCTAssertEqual(
            Array(machine.syncGroupMaster(now: skew).prefix(2)),
            [transition(.backup, .master, .masterLeft(higherPeer)), .addVirtualAddresses(previousOwner: higherPeer)])
    }

    func testPreemptingALowerMasterWaitsForTheGroupToo() {
        let settings = grouped()
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 1))
        _ = machine.timerFired(now: at(v2DownInterval))
        XCTAssertTrue(machine.wantsMaster)
        // More adverts of the lower master do not end the wish to preempt it.
        _ = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 50), now: at(seconds: 4))
        XCTAssertTrue(machine.wantsMaster)
        XCTAssertEqual(
            Array(machine.syncGroupMaster(now: at(seconds: 5)).prefix(2)),
            [
                transition(.backup, .master, .preempted(master: lowerPeer, masterPriority: 50, ourPriority: 100)),
                .addVirtualAddresses(previousOwner: lowerPeer),
            ])
    }

    func testTheAddressOwnerStartsWaitingForTheGroup() {
        let settings = grouped(makeSettings(priority: 255))
        var machine = Machine(settings: settings)
        let down = VRRPTimers.masterDownInterval(version: .v2, priority: 255, masterAdvertisementInterval: .seconds(1))
        XCTAssertEqual(machine.start(now: at(.zero)), [transition(.initialize, .backup, .started), .wakeUp(at: at(down))])
        XCTAssertTrue(machine.wantsMaster)
        XCTAssertEqual(machine.syncGroupMaster(now: at(.zero)).first, transition(.backup, .master, .addressOwner))
        // After a fault it waits again.
        _ = machine.faultDetected(reason: "interface eth1 down", now: at(seconds: 1))
        XCTAssertFalse(machine.wantsMaster)
        XCTAssertEqual(machine.faultCleared(now: at(seconds: 2)).first, transition(.fault, .backup, .faultCleared))
        XCTAssertTrue(machine.wantsMaster)
        XCTAssertEqual(machine.syncGroupMaster(now: at(seconds: 2)).first, transition(.backup, .master, .faultCleared))
    }

    func testTheGroupTakesAMasterToBackupWithPriorityZero() {
        let settings = grouped()
        var (machine, since) = groupedMaster(settings)
        XCTAssertEqual(
            machine.syncGroupBackup(member: "VI_2", memberState: .backup, now: since),
            [
                transition(.master, .backup, .syncGroup(group: "gateway", member: "VI_2", memberState: .backup)),
                .sendAdvertisement(ourAdvertisement(settings, priority: 0)), .removeVirtualAddresses(keepSessions: true),
                .wakeUp(at: since.advanced(by: v2DownInterval)),
            ])
        XCTAssertEqual(machine.state, .backup)
        XCTAssertEqual(
            VRRPTransition(from: .master, to: .backup, reason: .syncGroup(group: "gateway", member: "VI_2", memberState: .initialize))
                .logLine(instance: "VI_1"),
            "VI_1: MASTER -> BACKUP (sync group gateway: VI_2 is INIT)")
        XCTAssertEqual(machine.syncGroupBackup(member: "VI_2", memberState: .backup, now: since), [], "only a master is demoted")
    }

    func testAHandoverUnderWayIsLeftToEnd() {
        var (machine, since) = groupedMaster(grouped())
        _ = machine.beginHandover(now: since)
        XCTAssertEqual(machine.syncGroupBackup(member: "VI_2", memberState: .initialize, now: since), [])
        XCTAssertTrue(machine.isHandingOver)
    }

    func testAHoldEndsTheWaitAndBlocksThePromotion() {
        var machine = backupMachine(grouped())
        _ = machine.timerFired(now: at(v2DownInterval))
        XCTAssertTrue(machine.wantsMaster)
        _ = machine.hold(now: at(seconds: 4))
        XCTAssertFalse(machine.wantsMaster)
        _ = machine.timerFired(now: machine.nextDeadline!)
        XCTAssertFalse(machine.wantsMaster, "held, it does not want the master role")
        XCTAssertEqual(machine.syncGroupMaster(now: at(seconds: 9)), [])
    }

    func testAnInstanceWithoutGroupIgnoresTheGroupsEvents() {
        var (machine, since) = masterMachine(makeSettings())
        XCTAssertEqual(machine.syncGroupBackup(member: "VI_2", memberState: .backup, now: since), [])
        XCTAssertEqual(machine.state, .master)
        var backup = backupMachine(makeSettings())
        XCTAssertEqual(backup.syncGroupMaster(now: at(seconds: 1)), [])
    }
}
