import VipdConfig
import VipdVRRP
import VipdVRRPPacket
import XCTest

final class VRRPReceiveFilterTests: XCTestCase {
    private let settings = makeSettings()

    private func reason(
        _ packet: VRRPReceivedPacket, settings: VRRPInstanceSettings? = nil
    ) -> VRRPDropReason? {
        VRRPReceiveFilter(settings: settings ?? self.settings).dropReason(for: packet)
    }

    func testAcceptsAValidAdvertisement() {
        XCTAssertNil(reason(packet(for: settings, from: lowerPeer, priority: 50)))
        XCTAssertNil(reason(packet(for: settings, from: higherPeer, priority: 0)))
    }

    func testDropsOurOwnAdvertisement() {
        XCTAssertEqual(reason(packet(for: settings, from: ourAddress, priority: 100)), .ownAdvertisement)
    }

    func testDropsWrongHopLimitOnMulticast() {
        XCTAssertEqual(reason(packet(for: settings, from: lowerPeer, priority: 50, hopLimit: 64)), .hopLimit(64))
        XCTAssertEqual(reason(packet(for: settings, from: lowerPeer, priority: 50, hopLimit: 254)), .hopLimit(254))
    }

    func testUnicastDoesNotCheckHopLimitLikeKeepalived() {
        let unicast = makeSettings(unicastPeers: [lowerPeer, higherPeer])
        XCTAssertNil(reason(packet(for: unicast, from: lowerPeer, priority: 50, hopLimit: 62), settings: unicast))
    }

    func testDropsOtherVersion() {
        XCTAssertEqual(
            reason(packet(for: settings, from: lowerPeer, priority: 50, version: .v3)),
            .versionMismatch(received: .v3, expected: .v2))
    }

    func testDropsOtherVRID() {
        XCTAssertEqual(
            reason(packet(for: settings, from: lowerPeer, priority: 50, virtualRouterID: 52)),
            .virtualRouterIDMismatch(received: 52, expected: 51))
    }

    func testDropsUnicastSenderThatIsNotAPeer() {
        let unicast = makeSettings(unicastPeers: [higherPeer])
        XCTAssertEqual(reason(packet(for: unicast, from: lowerPeer, priority: 50), settings: unicast), .notUnicastPeer)
        XCTAssertNil(reason(packet(for: unicast, from: higherPeer, priority: 50), settings: unicast))
    }

    func testMulticastAcceptsAnySender() {
        XCTAssertNil(reason(packet(for: settings, from: address("10.0.0.77"), priority: 50)))
    }

    func testDropsAuthenticationTypeMismatchBothWays() {
        let password = makeSettings(authentication: .simplePassword(Array("secret".utf8)))
        XCTAssertEqual(
            reason(packet(for: password, from: lowerPeer, priority: 50, authentication: VRRPAuthentication.none), settings: password),
            .authenticationTypeMismatch(receivedPassword: false))
        XCTAssertEqual(
            reason(packet(for: settings, from: lowerPeer, priority: 50, authentication: .simplePassword([1]))),
            .authenticationTypeMismatch(receivedPassword: true))
    }

    func testDropsWrongPassword() {
        let password = makeSettings(authentication: .simplePassword(Array("secret".utf8)))
        XCTAssertEqual(
            reason(
                packet(for: password, from: lowerPeer, priority: 50, authentication: .simplePassword(Array("Secret".utf8))),
                settings: password),
            .wrongPassword)
        XCTAssertNil(reason(packet(for: password, from: lowerPeer, priority: 50), settings: password))
    }

    func testPasswordsCompareAsTheirEightByteFieldLikeKeepalived() {
        let long = makeSettings(authentication: .simplePassword(Array("0123456789".utf8)))
        XCTAssertNil(
            reason(
                packet(for: long, from: lowerPeer, priority: 50, authentication: .simplePassword(Array("01234567".utf8))),
                settings: long))
        let padded = makeSettings(authentication: .simplePassword(Array("abc".utf8)))
        XCTAssertNil(
            reason(
                packet(for: padded, from: lowerPeer, priority: 50, authentication: .simplePassword(Array("abc".utf8) + [0, 0])),
                settings: padded))
    }

    func testVersion3IgnoresConfiguredAuthentication() {
        let v3 = makeSettings(version: .v3, authentication: .simplePassword([1, 2, 3]))
        XCTAssertNil(reason(packet(for: v3, from: lowerPeer, priority: 50), settings: v3))
    }

    func testVersion2DropsOtherInterval() {
        XCTAssertEqual(
            reason(packet(for: settings, from: lowerPeer, priority: 50, interval: .seconds(2))),
            .intervalMismatch(received: .seconds(2), expected: .seconds(1)))
    }

    func testVersion3AcceptsOtherInterval() {
        let v3 = makeSettings(version: .v3)
        XCTAssertNil(reason(packet(for: v3, from: lowerPeer, priority: 50, interval: .milliseconds(500)), settings: v3))
    }

    func testDropsOtherAddressCount() {
        let extra = address("10.0.0.101")
        XCTAssertEqual(
            reason(packet(for: settings, from: lowerPeer, priority: 50, addresses: [virtualAddress, extra])),
            .addressListMismatch(received: [virtualAddress, extra], expected: [virtualAddress]))
        XCTAssertEqual(
            reason(packet(for: settings, from: lowerPeer, priority: 50, addresses: [])),
            .addressListMismatch(received: [], expected: [virtualAddress]))
    }

    func testDropsOtherAddressSet() {
        let other = address("10.0.0.200")
        XCTAssertEqual(
            reason(packet(for: settings, from: lowerPeer, priority: 50, addresses: [other])),
            .addressListMismatch(received: [other], expected: [virtualAddress]))
    }

    func testAddressOrderDoesNotMatter() {
        let two = makeSettings(virtualAddresses: [virtualAddress, address("10.0.0.101")])
        XCTAssertNil(
            reason(
                packet(for: two, from: lowerPeer, priority: 50, addresses: [address("10.0.0.101"), virtualAddress]),
                settings: two))
    }

    func testAddressOwnerMayAdvertiseAnotherList() {
        XCTAssertNil(reason(packet(for: settings, from: lowerPeer, priority: 255, addresses: [address("10.0.0.200")])))
    }

    func testIPv6Version3() {
        let primary = address("fe80::2")
        let v6 = makeSettings(
            version: .v3, primaryAddress: primary, virtualAddresses: [address("2001:db8::100")])
        XCTAssertNil(reason(packet(for: v6, from: address("fe80::1"), priority: 50), settings: v6))
        XCTAssertEqual(reason(packet(for: v6, from: address("fe80::1"), priority: 50, hopLimit: 1), settings: v6), .hopLimit(1))
        XCTAssertEqual(reason(packet(for: v6, from: primary, priority: 50), settings: v6), .ownAdvertisement)
    }

    func testCounterKeysAreStable() {
        let reasons: [VRRPDropReason] = [
            .ownAdvertisement, .hopLimit(1), .versionMismatch(received: .v3, expected: .v2),
            .virtualRouterIDMismatch(received: 1, expected: 2), .notUnicastPeer,
            .authenticationTypeMismatch(receivedPassword: true), .wrongPassword,
            .intervalMismatch(received: .seconds(2), expected: .seconds(1)),
            .addressListMismatch(received: [], expected: [virtualAddress]),
        ]
        XCTAssertEqual(
            reasons.map(\.counterKey),
            [
                "own_advertisement", "wrong_ttl", "version_mismatch", "vrid_mismatch", "not_unicast_peer",
                "auth_type_mismatch", "wrong_password", "interval_mismatch", "address_list_mismatch",
            ])
    }

    func testDescriptionsNameTheSender() {
        let expectations: [(VRRPDropReason, String)] = [
            (.ownAdvertisement, "our own advertisement looped back"),
            (.hopLimit(64), "hop limit 64, expected 255 (it crossed a router)"),
            (.versionMismatch(received: .v3, expected: .v2), "it is VRRPv3, we run VRRPv2"),
            (.virtualRouterIDMismatch(received: 52, expected: 51), "VRID 52, ours is 51"),
            (.notUnicastPeer, "sender is not one of our unicast peers"),
            (.authenticationTypeMismatch(receivedPassword: true), "it uses password authentication, we use none"),
            (.authenticationTypeMismatch(receivedPassword: false), "it uses no authentication, we use a password"),
            (.wrongPassword, "wrong authentication password"),
            (.intervalMismatch(received: .milliseconds(500), expected: .seconds(1)),
             "advertisement interval 0.5 s, ours is 1 s"),
            (.addressListMismatch(received: [address("10.0.0.200"), virtualAddress], expected: [virtualAddress, address("10.0.0.101")]),
             "virtual addresses differ (2 received, 2 expected); missing 10.0.0.101; unexpected 10.0.0.200"),
        ]
        for (reason, text) in expectations {
            XCTAssertEqual(reason.description, text)
            XCTAssertEqual(reason.description(sender: lowerPeer), "advertisement from 10.0.0.1 dropped: \(text)")
        }
    }
}
