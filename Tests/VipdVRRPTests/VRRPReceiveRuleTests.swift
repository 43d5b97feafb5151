import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

/// The receive rules as the speaker applies them to what its socket hands over: the wire bytes
/// decoded by the codec with its default checks, then the state machine (its receive filter).
/// Each rule has one owner, so each bad advert is dropped once, for one reason.
final class VRRPReceiveRuleTests: XCTestCase {
    private let multicast = makeSettings()
    private let unicast = makeSettings(unicastPeers: [lowerPeer, higherPeer])

    /// What the speaker's receive path makes of `packet` sent as bytes: the codec's error, or
    /// the machine's actions.
    private func receive(
        _ packet: VRRPReceivedPacket, into machine: inout Machine
    ) -> Result<[Action], VRRPPacketError> {
        let bytes = VRRPPacketCodec.encode(packet.advertisement, source: packet.source, destination: packet.destination)
        do {
            let decoded = try VRRPPacketCodec.decode(
                bytes, source: packet.source, destination: packet.destination, hopLimit: packet.hopLimit)
            return .success(machine.advertisementReceived(decoded, now: at(seconds: 1)))
        } catch {
            return .failure(error)
        }
    }

    func testMulticastWithTTL254IsDroppedAsWrongTTL() {
        var machine = backupMachine(multicast)
        let routed = packet(for: multicast, from: higherPeer, priority: 150, hopLimit: 254)
        XCTAssertEqual(receive(routed, into: &machine), .success([.drop(.hopLimit(254), from: higherPeer)]))
        XCTAssertEqual(machine.counters.drops["wrong_ttl"], 1)
        XCTAssertEqual(machine.counters.drops.total, 1)
        XCTAssertEqual(machine.masterAddress, nil)
    }

    func testRoutedUnicastFromAPeerIsAcceptedAndCountedAsRouted() {
        var machine = backupMachine(unicast)
        let routed = packet(for: unicast, from: higherPeer, priority: 150, hopLimit: 63)
        guard case .success = receive(routed, into: &machine) else {
            return XCTFail("the codec refused a routed unicast advert: \(receive(routed, into: &machine))")
        }
        XCTAssertEqual(machine.counters.drops.total, 0)
        XCTAssertEqual(machine.counters.advertisementsReceived, 1)
        XCTAssertEqual(machine.counters.routedAdvertisementsReceived, 1)
        XCTAssertEqual(machine.masterAddress, higherPeer)

        _ = receive(packet(for: unicast, from: higherPeer, priority: 150), into: &machine)
        XCTAssertEqual(machine.counters.advertisementsReceived, 2)
        XCTAssertEqual(machine.counters.routedAdvertisementsReceived, 1, "TTL 255 did not cross a router")
    }

    func testUnicastFromANonPeerIsDroppedWhateverItsTTL() {
        let stranger = address("10.0.0.9")
        for hopLimit in [63, 255] {
            var machine = backupMachine(unicast)
            let advert = packet(for: unicast, from: stranger, priority: 150, hopLimit: hopLimit)
            XCTAssertEqual(receive(advert, into: &machine), .success([.drop(.notUnicastPeer, from: stranger)]))
            XCTAssertEqual(machine.counters.drops["not_unicast_peer"], 1)
            XCTAssertEqual(machine.counters.drops.total, 1)
        }
    }

    func testOtherVRIDIsDroppedOnceByTheFilter() {
        var machine = backupMachine(multicast)
        let other = packet(for: multicast, from: higherPeer, priority: 150, virtualRouterID: 52)
        XCTAssertEqual(
            receive(other, into: &machine), .success([.drop(.virtualRouterIDMismatch(received: 52, expected: 51), from: higherPeer)]))
        XCTAssertEqual(machine.counters.drops.countsByKey, ["vrid_mismatch": 1])
        XCTAssertEqual(machine.counters.advertisementsReceived, 0)
    }

    func testMulticastInstanceDropsRoutedUnicastFromAnyone() {
        var machine = backupMachine(multicast)
        let direct = VRRPReceivedPacket(
            advertisement: packet(for: multicast, from: higherPeer, priority: 150).advertisement, source: higherPeer,
            destination: ourAddress, hopLimit: 63)
        XCTAssertEqual(receive(direct, into: &machine), .success([.drop(.hopLimit(63), from: higherPeer)]))
    }
}
