import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// vipd's make-before-break planned stop.
final class VRRPHandoverTests: XCTestCase {
    private let settings = makeSettings(handoverTimeout: .seconds(3))

    private func handingOver() -> (machine: Machine, startedAt: TestClock.Instant) {
        var (machine, since) = masterMachine(settings)
        let startedAt = since.advanced(by: .milliseconds(200))
        XCTAssertEqual(
            machine.beginHandover(now: startedAt),
            [.sendAdvertisement(ourAdvertisement(settings, priority: 0)), .wakeUp(at: startedAt.advanced(by: .seconds(3)))])
        return (machine, startedAt)
    }

    func testMasterKeepsItsAddressesWhileHandingOver() {
        let (machine, _) = handingOver()
        XCTAssertEqual(machine.state, .master)
        XCTAssertTrue(machine.isHandingOver)
        XCTAssertEqual(machine.counters.priorityZeroSent, 1)
    }

    func testNewMasterAdvertisementFinishesTheHandover() {
        var (machine, startedAt) = handingOver()
        let actions = machine.advertisementReceived(
            packet(for: settings, from: lowerPeer, priority: 90), now: startedAt.advanced(by: .milliseconds(700)))
        XCTAssertEqual(
            actions,
            [
                transition(.master, .initialize, .handoverCompleted(newMaster: lowerPeer)), .removeVirtualAddresses(keepSessions: true),
                .handoverFinished(newMaster: lowerPeer), .cancelWakeUp,
            ])
        XCTAssertEqual(machine.state, .initialize)
        XCTAssertFalse(machine.isHandingOver)
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(change.logLine(instance: "VI_1"), "VI_1: MASTER -> INIT (handover: 10.0.0.1 is master now)")
    }

    func testPriorityZeroFromAnotherRouterDoesNotFinishIt() {
        var (machine, startedAt) = handingOver()
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 0), now: startedAt.advanced(by: .milliseconds(10))),
            [])
        XCTAssertTrue(machine.isHandingOver)
    }

    func testNoAdvertisementsAreSentWhileHandingOver() {
        var (machine, startedAt) = handingOver()
        XCTAssertEqual(machine.timerFired(now: startedAt.advanced(by: .seconds(1))), [])
        XCTAssertEqual(machine.timerFired(now: startedAt.advanced(by: .seconds(2))), [])
        XCTAssertEqual(machine.priorityChanged(to: 10, now: startedAt.advanced(by: .seconds(2))), [])
        XCTAssertTrue(machine.isHandingOver)
    }

    func testTimeoutFinishesTheHandover() {
        var (machine, startedAt) = handingOver()
        let actions = machine.timerFired(now: startedAt.advanced(by: .seconds(3)))
        XCTAssertEqual(
            actions,
            [
                transition(.master, .initialize, .handoverTimedOut(after: .seconds(3))), .removeVirtualAddresses(keepSessions: true),
                .handoverFinished(newMaster: nil), .cancelWakeUp,
            ])
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(change.logLine(instance: "VI_1"), "VI_1: MASTER -> INIT (handover: no new master within 3 s)")
    }

    func testBeginHandoverTwiceIsIgnored() {
        var (machine, startedAt) = handingOver()
        XCTAssertEqual(machine.beginHandover(now: startedAt.advanced(by: .seconds(1))), [])
        XCTAssertEqual(machine.nextDeadline, startedAt.advanced(by: .seconds(3)))
    }

    func testDefaultTimeoutIsUsed() {
        var (machine, since) = masterMachine(makeSettings())
        XCTAssertEqual(machine.beginHandover(now: since).last, .wakeUp(at: since.advanced(by: .nanoseconds(4_996_093_750))))
    }

    func testBackupFinishesAtOnceNamingTheMaster() {
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 1))
        XCTAssertEqual(
            machine.beginHandover(now: at(seconds: 2)),
            [
                transition(.backup, .initialize, .handoverWhileNotMaster), .handoverFinished(newMaster: higherPeer),
                .cancelWakeUp,
            ])
        XCTAssertEqual(machine.state, .initialize)
    }

    func testBackupWithoutKnownMasterFinishesAtOnce() {
        var machine = backupMachine(settings)
        XCTAssertEqual(
            machine.beginHandover(now: at(seconds: 1)),
            [transition(.backup, .initialize, .handoverWhileNotMaster), .handoverFinished(newMaster: nil), .cancelWakeUp])
    }

    func testFaultFinishesAtOnce() {
        var machine = backupMachine(settings)
        _ = machine.faultDetected(reason: "x", now: at(seconds: 1))
        XCTAssertEqual(
            machine.beginHandover(now: at(seconds: 2)),
            [transition(.fault, .initialize, .handoverWhileNotMaster), .handoverFinished(newMaster: nil), .cancelWakeUp])
    }

    func testInitFinishesAtOnce() {
        var machine = Machine(settings: settings)
        XCTAssertEqual(machine.beginHandover(now: at(.zero)), [.handoverFinished(newMaster: nil)])
        XCTAssertEqual(machine.state, .initialize)
    }
}
