import VipdCore
import XCTest

@testable import VipdNet

/// The conntrack entry reader and dump request, without a kernel: hand-built entries in each TCP
/// state, other protocols, and hostile bytes, which are errors and never a trap.
final class ConntrackEntryTests: XCTestCase {
    /// An entry as a ctnetlink dump sends it: nfgenmsg, a tuple, `CTA_PROTOINFO` (nested, with the
    /// kernel's `NLA_F_NESTED` bit) holding `CTA_PROTOINFO_TCP` holding the state, and the mark.
    static func entry(tcpState: UInt8?) -> [UInt8] {
        let nested: UInt16 = 0x8000
        let addresses = NetlinkAttribute.encode([NetlinkAttribute(type: 1, value: [10, 251, 1, 2]), NetlinkAttribute(type: 2, value: [10, 251, 1, 12])])
        let tuple = NetlinkAttribute.encode([
            NetlinkAttribute(type: 1 | nested, value: addresses), NetlinkAttribute(type: 2 | nested, value: NetlinkAttribute.encode([NetlinkAttribute(type: 1, value: [6])])),
        ])
        var attributes = [NetlinkAttribute(type: 1 | nested, value: tuple)]
        if let tcpState {
            let tcp = NetlinkAttribute.encode([NetlinkAttribute(type: 1, value: [tcpState]), NetlinkAttribute(type: 2, value: [7])])
            attributes.append(NetlinkAttribute(type: 4 | nested, value: NetlinkAttribute.encode([NetlinkAttribute(type: 1 | nested, value: tcp)])))
        }
        attributes.append(NetlinkAttribute(type: 8, value: [0x02, 0, 0, 0]))
        return [2, 0, 0, 0] + NetlinkAttribute.encode(attributes)
    }

    func testTCPConnectionsAreOpenFromEstablishedUntilTimeWaitOrClose() throws {
        let open: [UInt8] = [3, 4, 5, 6]
        for state in UInt8(0)...10 {
            XCTAssertEqual(try ConntrackEntry(payload: Self.entry(tcpState: state)).isOpenTCP, open.contains(state), "state \(state)")
        }
    }

    func testTheOriginalSourceIsWhoOpenedTheConnection() throws {
        XCTAssertEqual(try ConntrackEntry(payload: Self.entry(tcpState: 3)).originalSource, IPAddress("10.251.1.2"))
        let badSource = [2, 0, 0, 0] + NetlinkAttribute.encode([
            NetlinkAttribute(type: 1, value: NetlinkAttribute.encode([NetlinkAttribute(type: 1, value: NetlinkAttribute.encode([NetlinkAttribute(type: 1, value: [10, 251, 1])]))]))
        ])
        XCTAssertThrowsError(try ConntrackEntry(payload: badSource), "a 3-byte address")
    }

    func testAnEntryWithoutTCPStateIsNotAnOpenTCPConnection() throws {
        XCTAssertFalse(try ConntrackEntry(payload: Self.entry(tcpState: nil)).isOpenTCP)
        XCTAssertFalse(try ConntrackEntry(payload: [2, 0, 0, 0]).isOpenTCP)
    }

    func testHostileBytesAreErrors() {
        XCTAssertThrowsError(try ConntrackEntry(payload: [2, 0]))
        XCTAssertThrowsError(try ConntrackEntry(payload: [2, 0, 0, 0, 0xff, 0x00, 4, 0]), "attribute length past the end")
        let tcp = NetlinkAttribute.encode([NetlinkAttribute(type: 1, value: [3, 3])])
        let twoByteState: [UInt8] = [2, 0, 0, 0] + NetlinkAttribute.encode([
            NetlinkAttribute(type: 4, value: NetlinkAttribute.encode([NetlinkAttribute(type: 1, value: tcp)]))
        ])
        XCTAssertThrowsError(try ConntrackEntry(payload: twoByteState))
        // Every prefix of a good entry: an error or an answer, never a trap.
        let good = Self.entry(tcpState: 3)
        for length in 0...good.count { _ = try? ConntrackEntry(payload: Array(good.prefix(length))).isOpenTCP }
    }

    func testTheDumpRequestFiltersByMarkInNetworkOrder() {
        let request = NetlinkMessage.conntrackDump(mark: 0x0200_0000, mask: 0x3e00_0000)
        XCTAssertEqual(request.type, 0x0101, "NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_GET")
        XCTAssertEqual(request.flags, Netlink.request | Netlink.dump)
        XCTAssertEqual(
            request.payload,
            [0, 0, 0, 0, 8, 0, 8, 0, 0x02, 0, 0, 0, 8, 0, 21, 0, 0x3e, 0, 0, 0],
            "nfgenmsg for every family, CTA_MARK and CTA_MARK_MASK big-endian")
    }
}
