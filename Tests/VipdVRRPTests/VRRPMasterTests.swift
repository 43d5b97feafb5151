import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// RFC 6.4.3 (Master), both versions.
final class VRRPMasterTests: XCTestCase {
    func testAdverTimerSendsAdvertisements() {
        let settings = makeSettings(priority: 255)
        var machine = Machine(settings: settings)
        _ = machine.start(now: at(.zero))
        for second in 1...5 {
            XCTAssertEqual(
                machine.timerFired(now: at(seconds: second)),
                [.sendAdvertisement(ourAdvertisement(settings, priority: 255)), .wakeUp(at: at(seconds: second + 1))])
        }
        XCTAssertEqual(machine.timerFired(now: at(.milliseconds(5_500))), [])
        XCTAssertEqual(machine.counters.advertisementsSent, 6)
        XCTAssertEqual(machine.state, .master)
    }

    func testVersion2AdvertisementCarriesTheAuthentication() {
        let settings = makeSettings(priority: 255, authentication: .simplePassword(Array("secret".utf8)))
        var machine = Machine(settings: settings)
        let actions = machine.start(now: at(.zero))
        XCTAssertTrue(actions.contains(.sendAdvertisement(ourAdvertisement(settings, priority: 255))))
        XCTAssertEqual(ourAdvertisement(settings, priority: 255).authentication, .simplePassword(Array("secret".utf8)))
    }

    func testVersion3AdvertisementNeverCarriesAuthentication() {
        let settings = makeSettings(version: .v3, priority: 255, authentication: .simplePassword([1]))
        var machine = Machine(settings: settings)
        let actions = machine.start(now: at(.zero))
        guard case .sendAdvertisement(let sent) = actions[3] else { return XCTFail("no advertisement") }
        XCTAssertEqual(sent.authentication, .none)
        XCTAssertEqual(sent.interval, .seconds(1))
        XCTAssertEqual(sent.addresses, [virtualAddress])
        XCTAssertEqual(sent.virtualRouterID, 51)
    }

    func testPriorityZeroIsAnsweredAtOnce() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let now = since.advanced(by: .milliseconds(300))
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 0), now: now),
            [.sendAdvertisement(ourAdvertisement(settings, priority: 100)), .wakeUp(at: now.advanced(by: .seconds(1)))])
        XCTAssertEqual(machine.state, .master)
    }

    func testHigherPriorityMakesUsBackup() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let now = since.advanced(by: .milliseconds(300))
        let actions = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 150), now: now)
        XCTAssertEqual(
            actions,
            [
                transition(.master, .backup, .higherPriorityAdvertisement(from: lowerPeer, priority: 150, ourPriority: 100)),
                .removeVirtualAddresses(keepSessions: true), .wakeUp(at: now.advanced(by: v2DownInterval)),
            ])
        XCTAssertEqual(machine.state, .backup)
        XCTAssertEqual(machine.masterAddress, lowerPeer)
        XCTAssertEqual(machine.masterPriority, 150)
        guard case .transition(let change) = actions.first else { return XCTFail("no transition") }
        XCTAssertEqual(
            change.logLine(instance: "VI_1"),
            "VI_1: MASTER -> BACKUP (advertisement from 10.0.0.1 with higher priority 150, ours is 100)")
    }

    func testHigherPriorityVersion3AdoptsItsInterval() {
        let settings = makeSettings(version: .v3)
        var (machine, since) = masterMachine(settings)
        let now = since.advanced(by: .milliseconds(300))
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: lowerPeer, priority: 150, interval: .seconds(2)), now: now).last,
            .wakeUp(at: now.advanced(by: .milliseconds(7_210))))
        XCTAssertEqual(machine.masterAdvertisementInterval, .seconds(2))
    }

    func testEqualPriorityFromAHigherAddressMakesUsBackup() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let now = since.advanced(by: .milliseconds(300))
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 100), now: now),
            [
                transition(.master, .backup, .equalPriorityHigherAddress(from: higherPeer, priority: 100)),
                .removeVirtualAddresses(keepSessions: true), .wakeUp(at: now.advanced(by: v2DownInterval)),
            ])
    }

    func testEqualPriorityFromALowerAddressIsAnsweredAndTheAddressesAnnounced() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: lowerPeer, priority: 100), now: since.advanced(by: .milliseconds(300))),
            [.sendAdvertisement(ourAdvertisement(settings, priority: 100)), .announceVirtualAddresses])
        XCTAssertEqual(machine.state, .master)
        XCTAssertEqual(machine.nextDeadline, since.advanced(by: .seconds(1)))
    }

    /// A lower-priority master (a split brain healing): we stay master, answer with our advert so it
    /// yields at once, and announce the VIPs so hosts that learned its MAC come back; once per interval.
    func testLowerPriorityMasterIsAnsweredAtMostOncePerAdvertInterval() {
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let answer: [Machine.Action] = [.sendAdvertisement(ourAdvertisement(settings, priority: 100)), .announceVirtualAddresses]
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: higherPeer, priority: 99), now: since.advanced(by: .milliseconds(300))),
            answer)
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: higherPeer, priority: 99), now: since.advanced(by: .milliseconds(1_299))),
            [])
        XCTAssertEqual(
            machine.advertisementReceived(
                packet(for: settings, from: higherPeer, priority: 99), now: since.advanced(by: .milliseconds(1_300))),
            answer)
        XCTAssertEqual(machine.state, .master)
        XCTAssertEqual(machine.nextDeadline, since.advanced(by: .seconds(1)))
    }

    func testIPv6TieBreakUsesNumericAddressOrder() {
        let settings = makeSettings(
            version: .v3, primaryAddress: address("fe80::2"), virtualAddresses: [address("2001:db8::100")])
        var (machine, since) = masterMachine(settings)
        let now = since.advanced(by: .milliseconds(10))
        XCTAssertEqual(machine.advertisementReceived(packet(for: settings, from: address("fe80::1:0"), priority: 100), now: now).first,
                       transition(.master, .backup, .equalPriorityHigherAddress(from: address("fe80::1:0"), priority: 100)))
        var (second, _) = masterMachine(settings)
        XCTAssertEqual(
            second.advertisementReceived(packet(for: settings, from: address("fe80::1"), priority: 100), now: now).first,
            .sendAdvertisement(ourAdvertisement(settings, priority: 100)))
        XCTAssertEqual(second.state, .master)
    }

    func testOwnerLosesTheTieToAnotherOwnerWithAHigherAddress() {
        let settings = makeSettings(priority: 255)
        var machine = Machine(settings: settings)
        _ = machine.start(now: at(.zero))
        XCTAssertEqual(
            machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 255), now: at(seconds: 1)).first,
            transition(.master, .backup, .equalPriorityHigherAddress(from: higherPeer, priority: 255)))
    }

    func testBecomingBackupForgetsNothingItShouldKeep() {
        // Back to BACKUP, the old master's silence is measured from its advertisement.
        let settings = makeSettings()
        var (machine, since) = masterMachine(settings)
        let heardAt = since.advanced(by: .milliseconds(300))
        _ = machine.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 150), now: heardAt)
        XCTAssertEqual(
            machine.timerFired(now: heardAt.advanced(by: v2DownInterval)).prefix(2),
            [
                transition(.backup, .master, .masterDownTimerExpired(lastMaster: lowerPeer, silentFor: v2DownInterval)),
                .peerWentSilent(lowerPeer),
            ])
    }
}
