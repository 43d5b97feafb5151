import Foundation
import VipdCore
import XCTest

@testable import VipdNet

/// The neighbour decoder and requests, without a kernel: hand-built messages, the fuzz corpus's
/// seeds (real kernel messages), and hostile bytes, which are errors and never a trap.
/// Expected bytes are little-endian.
final class NeighbourDecodingTests: XCTestCase {
    private let mac: [UInt8] = [0x02, 0x00, 0x5e, 0x00, 0x01, 0x0a]

    override func setUpWithError() throws {
        try XCTSkipUnless(UInt16(1).littleEndian == 1, "the expected bytes are written for a little-endian host")
    }

    /// A whole message: `nlmsghdr` of `type`, `ndmsg`, the attributes.
    private func message(
        type: UInt16 = 28, family: UInt8, index: Int32 = 3, state: UInt16, flags: UInt8 = 0, _ attributes: [NetlinkAttribute]
    ) -> [UInt8] {
        NetlinkMessage(
            type: type, flags: 2, sequence: 7,
            payload: NeighbourMessage(family: family, index: index, state: state, flags: flags, attributes: attributes).encoded()
        ).encoded()
    }

    private func destination(_ text: String) -> NetlinkAttribute {
        NetlinkAttribute(type: 1, value: IPAddress(text)!.bytes)
    }

    private func linkAddress(_ bytes: [UInt8]) -> NetlinkAttribute {
        NetlinkAttribute(type: 2, value: bytes)
    }

    func testStructSizeMatchesTheKernelABI() {
        XCTAssertEqual(Netlink.neighbourHeaderLength, 12, "struct ndmsg")
    }

    func testIPv4ReachableEntry() throws {
        let bytes: [UInt8] = [
            48, 0, 0, 0, /* RTM_NEWNEIGH */ 28, 0, /* NLM_F_MULTI */ 2, 0, 7, 0, 0, 0, 0, 0, 0, 0,
            /* ndmsg: AF_INET, pad, index 3, NUD_REACHABLE, flags 0, RTN_UNICAST */ 2, 0, 0, 0, 3, 0, 0, 0, 0x02, 0, 0, 1,
            /* NDA_DST */ 8, 0, 1, 0, 10, 251, 104, 2,
            /* NDA_LLADDR, padded */ 10, 0, 2, 0, 0x02, 0x00, 0x5e, 0x00, 0x01, 0x0a, 0, 0,
        ]
        let neighbour = try XCTUnwrap(try Neighbour.decode(message: bytes))
        XCTAssertEqual(neighbour, Neighbour(address: IPAddress("10.251.104.2")!, interfaceIndex: 3, linkAddress: mac, state: 0x02))
        XCTAssertTrue(neighbour.isUsable)
        XCTAssertEqual(neighbour.linkAddressText, "02:00:5e:00:01:0a")
        XCTAssertEqual(neighbour.description, "10.251.104.2 lladdr 02:00:5e:00:01:0a REACHABLE on #3")
    }

    func testIPv6StaleEntryWithTheKernelsOtherAttributes() throws {
        let cacheInfo = NetlinkAttribute(type: 3, value: [UInt8](repeating: 0x11, count: 16))
        let probes = NetlinkAttribute(type: 4, value: [1, 0, 0, 0])
        let bytes = message(family: 10, index: 9, state: 0x04, [destination("fd00:251:104::2"), linkAddress(mac), cacheInfo, probes])
        let neighbour = try XCTUnwrap(try Neighbour.decode(message: bytes))
        XCTAssertEqual(neighbour.address, IPAddress("fd00:251:104::2"))
        XCTAssertEqual(neighbour.interfaceIndex, 9)
        XCTAssertEqual(neighbour.linkAddress, mac)
        XCTAssertTrue(neighbour.isUsable, "STALE still sends (and re-checks)")
        XCTAssertEqual(neighbour.description, "fd00:251:104::2 lladdr 02:00:5e:00:01:0a STALE on #9")
    }

    func testEntriesWithoutALinkAddressAreNotUsable() throws {
        for (state, text) in [(UInt16(0x01), "INCOMPLETE"), (0x20, "FAILED"), (0x40, "NOARP"), (0x00, "NONE")] {
            let neighbour = try XCTUnwrap(try Neighbour.decode(message: message(family: 2, state: state, [destination("10.251.104.9")])))
            XCTAssertNil(neighbour.linkAddress)
            XCTAssertNil(neighbour.linkAddressText)
            XCTAssertFalse(neighbour.isUsable, text)
            XCTAssertEqual(neighbour.description, "10.251.104.9 \(text) on #3")
        }
        let empty = try XCTUnwrap(try Neighbour.decode(message: message(family: 2, state: 0x40, [destination("10.0.0.1"), linkAddress([])])))
        XCTAssertNil(empty.linkAddress, "an empty NDA_LLADDR (a device without addresses) is no link address")
    }

    func testUsableNeedsAnEthernetAddressAndAValidState() {
        let address = IPAddress("10.0.0.2")!
        func usable(_ state: UInt16, _ link: [UInt8]? = [0x02, 0, 0, 0, 0, 1]) -> Bool {
            Neighbour(address: address, interfaceIndex: 2, linkAddress: link, state: state).isUsable
        }
        for state: UInt16 in [0x02, 0x04, 0x08, 0x10, 0x40, 0x80] { XCTAssertTrue(usable(state), "state \(state)") }
        for state: UInt16 in [0x00, 0x01, 0x20, 0x22, 0x41] { XCTAssertFalse(usable(state), "state \(state)") }
        XCTAssertFalse(usable(0x02, [10, 0, 0, 1]), "a 4-byte tunnel address is not Ethernet")
        XCTAssertFalse(usable(0x40, nil), "NOARP without an address")
        XCTAssertEqual(Neighbour(address: address, interfaceIndex: 2, linkAddress: nil, state: 0x22).description, "10.0.0.2 REACHABLE FAILED on #2")
    }

    func testProxyEntriesOtherFamiliesAndOtherMessagesAreSkipped() throws {
        XCTAssertNil(try Neighbour.decode(message: message(family: 2, index: 0, state: 0, flags: 0x08, [destination("10.251.104.50")])), "NTF_PROXY")
        XCTAssertNil(try Neighbour.decode(message: message(family: 7, state: 0x80, [linkAddress(mac)])), "AF_BRIDGE")
        XCTAssertNil(try Neighbour.decode(message: message(type: 29, family: 2, state: 0x02, [destination("10.0.0.2")])), "RTM_DELNEIGH")
        XCTAssertNil(try Neighbour.decode(message: NetlinkMessage(type: 20, flags: 2, payload: [2, 24, 0, 0, 1, 0, 0, 0]).encoded()), "RTM_NEWADDR")
        XCTAssertNil(try Neighbour.decode(message: NetlinkMessage(type: 3, flags: 2, payload: [0, 0, 0, 0]).encoded()), "NLMSG_DONE")
    }

    func testTruncatedAndHostileBytesAreErrors() {
        let valid = message(family: 2, state: 0x02, [destination("10.251.104.2"), linkAddress(mac)])
        func rejected(_ bytes: [UInt8], _ expected: String, line: UInt = #line) {
            XCTAssertThrowsError(try Neighbour.decode(message: bytes), line: line) { error in
                guard case let .malformedNetlinkMessage(text) = error as? NetworkError else { return XCTFail("\(error)", line: line) }
                XCTAssertTrue(text.contains(expected), text, line: line)
            }
        }
        rejected([], "0 netlink messages in 0 bytes")
        rejected(Array(valid.prefix(15)), "0 netlink messages in 15 bytes")
        rejected(Array(valid.prefix(40)), "nlmsg_len 48 at offset 0 of a 40-byte datagram")
        var short = valid
        short[0] = 8
        rejected(short, "nlmsg_len 8")
        rejected(valid + valid, "2 netlink messages in 96 bytes")
        rejected(NetlinkMessage(type: 28, flags: 0, payload: [2, 0, 0, 0, 3, 0, 0, 0, 2, 0]).encoded(), "neighbour message of 10 bytes, shorter than ndmsg")
        var pastTheEnd = valid
        pastTheEnd[28] = 200
        rejected(pastTheEnd, "rta_len 200 at offset 12 of a 32-byte payload")
        var tooShortAttribute = valid
        tooShortAttribute[28] = 3
        rejected(tooShortAttribute, "rta_len 3")
        rejected(message(family: 2, state: 0x02, [linkAddress(mac)]), "without NDA_DST")
        rejected(message(family: 2, state: 0x02, [NetlinkAttribute(type: 1, value: [10, 0, 0])]), "a 3-byte NDA_DST for AF_INET")
        rejected(message(family: 2, state: 0x02, [destination("fd00::2")]), "a 16-byte NDA_DST for AF_INET")
        rejected(message(family: 10, state: 0x02, [destination("10.0.0.2")]), "a 4-byte NDA_DST for AF_INET6")
    }

    func testNoPrefixOrSingleByteChangeOfARealMessageTraps() throws {
        for seed in try Self.seeds() {
            let bytes = seed.bytes
            for length in 0...bytes.count {
                _ = try? Neighbour.decode(message: Array(bytes.prefix(length)))
            }
            for offset in bytes.indices {
                for value: UInt8 in [0x00, 0x01, 0x03, 0x7f, 0x80, 0xff] {
                    var changed = bytes
                    changed[offset] = value
                    _ = try? Neighbour.decode(message: changed)
                }
            }
        }
    }

    func testTheFuzzCorpusSeedsAreRealKernelMessages() throws {
        let seeds = Dictionary(uniqueKeysWithValues: try Self.seeds().map { ($0.name, $0.bytes) })
        func decode(_ name: String) throws -> Neighbour? { try Neighbour.decode(message: try XCTUnwrap(seeds[name], name)) }
        let peer: [UInt8] = [0x02, 0x00, 0x00, 0xfb, 0x00, 0x02]
        XCTAssertEqual(try decode("ipv4-reachable"), Neighbour(address: IPAddress("10.251.200.2")!, interfaceIndex: 2, linkAddress: peer, state: 0x02))
        XCTAssertEqual(try decode("ipv6-reachable"), Neighbour(address: IPAddress("fd00:251:200::2")!, interfaceIndex: 2, linkAddress: peer, state: 0x02))
        XCTAssertEqual(try decode("ipv4-incomplete"), Neighbour(address: IPAddress("10.251.200.77")!, interfaceIndex: 2, linkAddress: nil, state: 0x01))
        XCTAssertEqual(try decode("ipv6-failed"), Neighbour(address: IPAddress("fd00:251:200::77")!, interfaceIndex: 2, linkAddress: nil, state: 0x20))
        XCTAssertEqual(try decode("ipv4-permanent")?.linkAddressText, "02:00:00:fb:00:3c")
        let multicast = try XCTUnwrap(try decode("ipv6-noarp-multicast"))
        XCTAssertEqual(multicast.description, "ff02::2 lladdr 33:33:00:00:00:02 NOARP on #2")
        XCTAssertTrue(multicast.isUsable)
        XCTAssertNil(try decode("ipv4-proxy"))
        XCTAssertEqual(seeds.count, 7)
    }

    func testDumpRequests() {
        var message = NetlinkMessage.neighbourDump(family: 0)
        message.sequence = 1
        XCTAssertEqual(message.encoded(), [
            28, 0, 0, 0, /* RTM_GETNEIGH */ 30, 0, /* NLM_F_REQUEST | NLM_F_DUMP */ 0x01, 0x03, 1, 0, 0, 0, 0, 0, 0, 0,
            /* ndmsg: AF_UNSPEC */ 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ])
        XCTAssertEqual(NetlinkMessage.neighbourDump(family: 10).payload.first, 10)
    }

    /// iproute2 6.1's `ip neigh replace 10.251.200.2 dev eth0 use` (strace), but for `ndm_state`:
    /// it sends NUD_PERMANENT (0x80), this request NUD_NONE.
    func testResolveRequestIsWhatIpNeighReplaceUseSends() throws {
        var message = NetlinkMessage.resolveNeighbour(IPAddress("10.251.200.2")!, interfaceIndex: 2)
        message.sequence = 5
        XCTAssertEqual(message.encoded(), [
            36, 0, 0, 0, /* RTM_NEWNEIGH */ 28, 0, /* REQUEST|ACK, REPLACE|CREATE */ 0x05, 0x05, 5, 0, 0, 0, 0, 0, 0, 0,
            /* ndmsg: AF_INET, index 2, NUD_NONE, NTF_USE, type 0 */ 2, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0x01, 0,
            /* NDA_DST */ 8, 0, 1, 0, 10, 251, 200, 2,
        ])
        let v6 = try NeighbourMessage(decoding: NetlinkMessage.resolveNeighbour(IPAddress("fd00:251:200::2")!, interfaceIndex: 7).payload)
        XCTAssertEqual(v6, NeighbourMessage(family: 10, index: 7, state: 0, flags: 0x01, attributes: [destination("fd00:251:200::2")]))
    }

    /// The seeds of fuzz/corpus/netlink-neighbour: one message each from a real `RTM_GETNEIGH` dump.
    private static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fuzz/corpus/netlink-neighbour")
        return try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted().map { name in
            (name, Array(try Data(contentsOf: corpus.appendingPathComponent(name))))
        }
    }
}
