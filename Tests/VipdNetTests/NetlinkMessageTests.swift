import VipdCore
import XCTest

@testable import VipdNet

/// The rtnetlink encoder and parser, without a kernel. Expected bytes are little-endian.
final class NetlinkMessageTests: XCTestCase {
    override func setUpWithError() throws {
        try XCTSkipUnless(UInt16(1).littleEndian == 1, "the expected bytes are written for a little-endian host")
    }

    func testStructSizesMatchTheKernelABI() {
        XCTAssertEqual(Netlink.headerLength, 16, "struct nlmsghdr")
        XCTAssertEqual(Netlink.attributeHeaderLength, 4, "struct rtattr")
        XCTAssertEqual(Netlink.linkHeaderLength, 16, "struct ifinfomsg")
        XCTAssertEqual(Netlink.addressHeaderLength, 8, "struct ifaddrmsg")
        XCTAssertEqual([0, 1, 4, 5, 11].map(Netlink.aligned), [0, 4, 4, 8, 12])
    }

    func testAddIPv4AddressRequestIsWhatIpAddrAddSends() {
        var message = NetlinkMessage.addAddress(IPPrefix(parsing: "10.251.100.100/24")!, interfaceIndex: 7)
        message.sequence = 5
        XCTAssertEqual(message.encoded(), [
            40, 0, 0, 0, /* RTM_NEWADDR */ 20, 0, /* REQUEST|ACK|EXCL|CREATE */ 0x05, 0x06, 5, 0, 0, 0, 0, 0, 0, 0,
            /* ifaddrmsg: AF_INET, /24, flags, scope universe, index 7 */ 2, 24, 0, 0, 7, 0, 0, 0,
            /* IFA_LOCAL */ 8, 0, 2, 0, 10, 251, 100, 100,
            /* IFA_ADDRESS */ 8, 0, 1, 0, 10, 251, 100, 100,
        ])
    }

    func testAddIPv6AddressRequestAsksForNoDAD() throws {
        let prefix = IPPrefix(parsing: "fd00:251:100::100/64")!
        let message = NetlinkMessage.addAddress(prefix, interfaceIndex: 3)
        XCTAssertEqual(message.type, 20)
        let payload = try AddressMessage(decoding: message.payload)
        XCTAssertEqual(payload.family, 10, "AF_INET6")
        XCTAssertEqual(payload.prefixLength, 64)
        XCTAssertEqual(payload.flags, 0x02, "IFA_F_NODAD")
        XCTAssertEqual(payload.index, 3)
        XCTAssertEqual(payload.attributes, [
            NetlinkAttribute(type: 2, value: prefix.address.bytes),
            NetlinkAttribute(type: 1, value: prefix.address.bytes),
        ])
        XCTAssertEqual(message.encoded().count, 16 + 8 + 20 + 20)
    }

    func testRemoveAddressRequestIsAcknowledgedDelete() throws {
        let message = NetlinkMessage.removeAddress(IPPrefix(parsing: "10.0.0.5/32")!, interfaceIndex: 2)
        XCTAssertEqual(message.type, 21, "RTM_DELADDR")
        XCTAssertEqual(message.flags, 0x05, "NLM_F_REQUEST | NLM_F_ACK")
        XCTAssertEqual(try AddressMessage(decoding: message.payload).prefixLength, 32)
    }

    func testLinkQueryCarriesTheNameWithNULAndPadding() {
        var message = NetlinkMessage.linkQuery(named: "veth-a")
        message.sequence = 1
        XCTAssertEqual(message.encoded(), [
            44, 0, 0, 0, /* RTM_GETLINK */ 18, 0, 0x05, 0, 1, 0, 0, 0, 0, 0, 0, 0,
            /* ifinfomsg */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
            /* IFLA_IFNAME, rta_len 11 */ 11, 0, 3, 0, 0x76, 0x65, 0x74, 0x68, 0x2d, 0x61, 0, /* pad */ 0,
        ])
    }

    func testDumpRequests() {
        XCTAssertEqual(NetlinkMessage.linkDump().flags, 0x301, "NLM_F_REQUEST | NLM_F_DUMP")
        XCTAssertEqual(NetlinkMessage.linkDump().payload.count, 16)
        XCTAssertEqual(NetlinkMessage.addressDump().type, 22, "RTM_GETADDR")
        XCTAssertEqual(NetlinkMessage.addressDump().payload, [0, 0, 0, 0, 0, 0, 0, 0])
    }

    func testParsesSeveralPaddedMessagesFromOneDatagram() throws {
        let first = NetlinkMessage(type: 16, flags: 2, sequence: 9, portID: 1234, payload: [1, 2, 3, 4, 5])
        let second = NetlinkMessage(type: 3, flags: 2, sequence: 9, portID: 1234, payload: [0, 0, 0, 0])
        let datagram = first.encoded() + second.encoded()
        XCTAssertEqual(datagram.count, 24 + 20, "the 21-byte first message is padded to 24")
        XCTAssertEqual(try NetlinkMessage.parseAll(datagram), [first, second])
    }

    func testRejectsAMessageLongerThanTheDatagram() {
        var datagram = NetlinkMessage(type: 16, flags: 0, payload: [1, 2, 3, 4]).encoded()
        datagram.removeLast()
        XCTAssertThrowsError(try NetlinkMessage.parseAll(datagram)) { error in
            guard case .malformedNetlinkMessage(let text) = error as? NetworkError else { return XCTFail("\(error)") }
            XCTAssertTrue(text.contains("nlmsg_len 20"), text)
        }
        var attributes = NetlinkAttribute.encode([NetlinkAttribute(type: 3, string: "eth0")])
        attributes[0] = 200
        XCTAssertThrowsError(try NetlinkAttribute.parseAll(attributes, from: 0))
    }

    func testAttributeTypesLoseTheNestedAndByteOrderBits() throws {
        let bytes: [UInt8] = [8, 0, 0x1a, 0x80, 1, 2, 3, 4, 5, 0, 0x02, 0x40, 9, 0, 0, 0]
        XCTAssertEqual(try NetlinkAttribute.parseAll(bytes, from: 0), [
            NetlinkAttribute(type: 0x1a, value: [1, 2, 3, 4]),
            NetlinkAttribute(type: 2, value: [9]),
        ])
    }

    func testLinkMessageBecomesANetworkInterface() throws {
        let mac: [UInt8] = [0x02, 0x00, 0x5e, 0x00, 0x01, 0x0a]
        var mtu = [UInt8]()
        mtu.appendHostOrder(UInt32(1500))
        let link = LinkMessage(index: 4, flags: 0x1 | 0x40 | 0x1000 | 0x10000, attributes: [
            NetlinkAttribute(type: 3, string: "eth0"),
            NetlinkAttribute(type: 1, value: mac),
            NetlinkAttribute(type: 4, value: mtu),
            NetlinkAttribute(type: 16, value: [6]),
        ])
        let interface = try NetworkInterface(link: LinkMessage(decoding: link.encoded()))
        XCTAssertEqual(interface, NetworkInterface(
            name: "eth0", index: 4, hardwareAddress: mac, isAdministrativelyUp: true, hasCarrier: true,
            mtu: 1500, operationalState: .up
        ))
        XCTAssertTrue(interface.isUsable)
        XCTAssertTrue(interface.supportsMulticast)
        let withoutMulticast = LinkMessage(index: 4, flags: 0x1 | 0x40 | 0x10000, attributes: link.attributes)
        XCTAssertFalse(try NetworkInterface(link: LinkMessage(decoding: withoutMulticast.encoded())).supportsMulticast)
        XCTAssertEqual(interface.hardwareAddressText, "02:00:5e:00:01:0a")

        let noCarrier = LinkMessage(index: 4, flags: 0x1, attributes: [
            NetlinkAttribute(type: 3, string: "eth0"), NetlinkAttribute(type: 16, value: [3]),
        ])
        let down = try NetworkInterface(link: noCarrier)
        XCTAssertFalse(down.hasCarrier)
        XCTAssertEqual(down.operationalState, .lowerLayerDown)
        XCTAssertFalse(down.isUsable)

        let deleted = try NetworkInterface(link: link).deleted
        XCTAssertEqual(deleted.operationalState, .notPresent)
        XCTAssertFalse(deleted.isAdministrativelyUp || deleted.hasCarrier)

        XCTAssertThrowsError(try NetworkInterface(link: LinkMessage(index: 4)), "IFLA_IFNAME is required")
    }

    func testAddressMessageTakesIFALocalAsTheAddress() throws {
        // IPv4 point-to-point: IFA_LOCAL is ours, IFA_ADDRESS the peer.
        let pointToPoint = AddressMessage(family: 2, prefixLength: 32, flags: 0x80, index: 5, attributes: [
            NetlinkAttribute(type: 1, value: [10, 0, 0, 2]),
            NetlinkAttribute(type: 2, value: [10, 0, 0, 1]),
            NetlinkAttribute(type: 3, string: "ppp0"),
        ])
        let address = try InterfaceAddress(message: AddressMessage(decoding: pointToPoint.encoded()))
        XCTAssertEqual(address.prefix, IPPrefix(parsing: "10.0.0.1/32"))
        XCTAssertEqual(address.label, "ppp0")
        XCTAssertEqual(address.flags, .permanent)
        XCTAssertEqual(address.interfaceIndex, 5)

        // IPv6 sends only IFA_ADDRESS; the 32-bit IFA_FLAGS wins over the 8-bit header field.
        let linkLocal = IPAddress("fe80::1")!
        var flags = [UInt8]()
        flags.appendHostOrder(UInt32(0x02 | 0x40 | 0x80))
        var ipv6 = AddressMessage(family: 10, prefixLength: 64, flags: 0x80, index: 5, attributes: [
            NetlinkAttribute(type: 1, value: linkLocal.bytes), NetlinkAttribute(type: 8, value: flags),
        ])
        ipv6.scope = 253
        let decoded = try InterfaceAddress(message: AddressMessage(decoding: ipv6.encoded()))
        XCTAssertEqual(decoded.prefix.address, linkLocal)
        XCTAssertEqual(decoded.flags, [.noDuplicateAddressDetection, .tentative, .permanent])
        XCTAssertEqual(decoded.scope, 253)
        XCTAssertTrue(decoded.isLinkLocal)
        XCTAssertFalse(decoded.isUsableAsSource, "tentative")
        XCTAssertNil(decoded.label)

        let secondary = AddressMessage(family: 2, prefixLength: 24, flags: 0x01, index: 2, attributes: [
            NetlinkAttribute(type: 2, value: [192, 168, 1, 10]),
        ])
        XCTAssertTrue(try InterfaceAddress(message: secondary).isSecondary)
        XCTAssertThrowsError(try InterfaceAddress(message: AddressMessage(family: 2, prefixLength: 24)))
        XCTAssertThrowsError(try InterfaceAddress(message: AddressMessage(family: 2, prefixLength: 33, attributes: [
            NetlinkAttribute(type: 2, value: [192, 168, 1, 10]),
        ])))
    }

    func testAcknowledgementsAndErrorsWithTheKernelsReason() throws {
        let echoed = NetlinkMessage(type: 20, flags: 0x605, sequence: 5, payload: []).encoded()
        var acknowledgement = [UInt8]()
        acknowledgement.appendHostOrder(Int32(0))
        let ack = NetlinkMessage(type: 2, flags: 0x100, sequence: 5, payload: acknowledgement + echoed)
        let ackDecoded = try NetlinkAcknowledgement(decoding: ack)
        XCTAssertEqual(ackDecoded.errno, 0)
        XCTAssertEqual(ackDecoded.reason, nil)

        var failure = [UInt8]()
        failure.appendHostOrder(Int32(-17))
        failure += echoed + NetlinkAttribute.encode([NetlinkAttribute(type: 1, string: "Address already assigned")])
        let error = NetlinkMessage(type: 2, flags: 0x100 | 0x200, sequence: 5, payload: failure)
        let errorDecoded = try NetlinkAcknowledgement(decoding: error)
        XCTAssertEqual(errorDecoded.errno, 17)
        XCTAssertEqual(errorDecoded.reason, "Address already assigned")

        // Without NETLINK_CAP_ACK the whole request is echoed before the attributes.
        let request = NetlinkMessage.addAddress(IPPrefix(parsing: "10.0.0.5/24")!, interfaceIndex: 1).encoded()
        var uncapped = [UInt8]()
        uncapped.appendHostOrder(Int32(-19))
        uncapped += request + NetlinkAttribute.encode([NetlinkAttribute(type: 1, string: "Device not found")])
        let long = NetlinkMessage(type: 2, flags: 0x200, sequence: 5, payload: uncapped)
        let longDecoded = try NetlinkAcknowledgement(decoding: long)
        XCTAssertEqual(longDecoded.errno, 19)
        XCTAssertEqual(longDecoded.reason, "Device not found")

        XCTAssertThrowsError(try NetlinkAcknowledgement(decoding: NetlinkMessage(type: 2, flags: 0, payload: [0, 0])))
    }
}
