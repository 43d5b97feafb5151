import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// Every drop reason, in every state: a `.drop` action and nothing else changes.
final class VRRPDropTests: XCTestCase {
    private let settings = makeSettings(
        authentication: .simplePassword(Array("secret".utf8)), unicastPeers: [lowerPeer, higherPeer])
    private let multicastSettings = makeSettings()

    /// A bad packet per reason, each with priority 200 (it would make a master back off if valid).
    private func badPackets(for settings: VRRPInstanceSettings) -> [(VRRPReceivedPacket, VRRPDropReason)] {
        let priority: UInt8 = 200
        var packets: [(VRRPReceivedPacket, VRRPDropReason)] = [
            (packet(for: settings, from: ourAddress, priority: priority), .ownAdvertisement),
            (packet(for: settings, from: higherPeer, priority: priority, version: .v3),
             .versionMismatch(received: .v3, expected: .v2)),
            (packet(for: settings, from: higherPeer, priority: priority, virtualRouterID: 9),
             .virtualRouterIDMismatch(received: 9, expected: 51)),
            (packet(for: settings, from: higherPeer, priority: priority, interval: .seconds(2)),
             .intervalMismatch(received: .seconds(2), expected: .seconds(1))),
            (packet(for: settings, from: higherPeer, priority: priority, addresses: [address("10.0.0.200")]),
             .addressListMismatch(received: [address("10.0.0.200")], expected: [virtualAddress])),
        ]
        if settings.unicastPeers.isEmpty {
            packets.append((packet(for: settings, from: higherPeer, priority: priority, hopLimit: 64), .hopLimit(64)))
        } else {
            packets += [
                (packet(for: settings, from: address("10.0.0.9"), priority: priority), .notUnicastPeer),
                (packet(for: settings, from: higherPeer, priority: priority, authentication: VRRPAuthentication.none),
                 .authenticationTypeMismatch(receivedPassword: false)),
                (packet(for: settings, from: higherPeer, priority: priority, authentication: .simplePassword([1])),
                 .wrongPassword),
            ]
        }
        return packets
    }

    /// Machines in INIT, BACKUP (having heard a master), MASTER, handing over and FAULT.
    private func machinesInEveryState(_ settings: VRRPInstanceSettings) -> [Machine] {
        var backup = backupMachine(settings)
        _ = backup.advertisementReceived(packet(for: settings, from: lowerPeer, priority: 150), now: at(seconds: 1))
        var (handingOver, since) = masterMachine(settings)
        _ = handingOver.beginHandover(now: since)
        var fault = backupMachine(settings)
        _ = fault.faultDetected(reason: "x", now: at(seconds: 1))
        return [Machine(settings: settings), backup, masterMachine(settings).machine, handingOver, fault]
    }

    func testEveryDropReasonInEveryStateChangesNothing() {
        for settings in [settings, multicastSettings] {
            for original in machinesInEveryState(settings) {
                var machine = original
                for (bad, reason) in badPackets(for: settings) {
                    XCTAssertEqual(
                        machine.advertisementReceived(bad, now: at(.milliseconds(4_000))), [.drop(reason, from: bad.source)],
                        "\(original.state) \(reason.counterKey)")
                    XCTAssertEqual(machine.state, original.state)
                    XCTAssertEqual(machine.isHandingOver, original.isHandingOver)
                    XCTAssertEqual(machine.nextDeadline, original.nextDeadline)
                    XCTAssertEqual(machine.masterAddress, original.masterAddress)
                    XCTAssertEqual(machine.masterAdvertisementInterval, original.masterAdvertisementInterval)
                    XCTAssertEqual(machine.effectivePriority, original.effectivePriority)
                }
                XCTAssertEqual(machine.counters.drops.total, badPackets(for: settings).count)
                XCTAssertEqual(machine.counters.advertisementsReceived, original.counters.advertisementsReceived)
                XCTAssertEqual(machine.counters.transitions, original.counters.transitions)
            }
        }
    }

    func testDropsAreCountedPerReason() {
        var machine = backupMachine(multicastSettings)
        for _ in 1...3 {
            _ = machine.advertisementReceived(
                packet(for: multicastSettings, from: higherPeer, priority: 150, virtualRouterID: 52), now: at(seconds: 1))
        }
        _ = machine.advertisementReceived(packet(for: multicastSettings, from: higherPeer, priority: 150, hopLimit: 1), now: at(seconds: 1))
        XCTAssertEqual(machine.counters.drops["vrid_mismatch"], 3)
        XCTAssertEqual(machine.counters.drops["wrong_ttl"], 1)
        XCTAssertEqual(machine.counters.drops.total, 4)
    }
}

final class VRRPMachineCountersTests: XCTestCase {
    func testCountersFollowALife() {
        let settings = makeSettings()
        var machine = backupMachine(settings)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 1))
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 0), now: at(seconds: 2))
        _ = machine.timerFired(now: machine.nextDeadline!)
        _ = machine.timerFired(now: machine.nextDeadline!)
        _ = machine.advertisementReceived(packet(for: settings, from: higherPeer, priority: 150), now: at(seconds: 4))
        _ = machine.faultDetected(reason: "x", now: at(seconds: 5))
        _ = machine.faultCleared(now: at(seconds: 6))
        _ = machine.shutdown(now: at(seconds: 7))

        let counters = machine.counters
        XCTAssertEqual(counters.advertisementsReceived, 3)
        XCTAssertEqual(counters.priorityZeroReceived, 1)
        XCTAssertEqual(counters.advertisementsSent, 2)
        XCTAssertEqual(counters.priorityZeroSent, 0)
        XCTAssertEqual(counters.transitions[from: .initialize, to: .backup], 1)
        XCTAssertEqual(counters.transitions[from: .backup, to: .master], 1)
        XCTAssertEqual(counters.transitions[from: .master, to: .backup], 1)
        XCTAssertEqual(counters.transitions[from: .backup, to: .fault], 1)
        XCTAssertEqual(counters.transitions[from: .fault, to: .backup], 1)
        XCTAssertEqual(counters.transitions[from: .backup, to: .initialize], 1)
        XCTAssertEqual(counters.transitions.total, 6)
        XCTAssertEqual(counters.drops.total, 0)
    }
}
