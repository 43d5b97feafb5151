import Testing
import VipdVRRPPacket

/// One packet recorded from keepalived 2.2.7 by scripts/record-vrrp-fixtures, and what its
/// scenario's keepalived.conf (in Fixtures/README.md) says it must contain.
struct KeepalivedScenario: Sendable, CustomTestStringConvertible {
    var name: String
    var expected: VRRPReceivedPacket
    var testDescription: String { name }

    init(
        _ name: String, _ version: VRRPVersion, vrid: UInt8, priority: UInt8 = 100, interval: Duration = .seconds(1),
        addresses: [String], authentication: VRRPAuthentication = .none,
        source: String = "10.251.90.1", destination: String = "224.0.0.18"
    ) {
        self.name = name
        let advertisement = VRRPAdvertisement(
            version: version, virtualRouterID: vrid, priority: priority, interval: interval,
            addresses: addresses.map(ip), authentication: authentication)
        self.expected = VRRPReceivedPacket(
            advertisement: advertisement, source: ip(source), destination: ip(destination), hopLimit: 255)
    }

    static let all = [
        KeepalivedScenario("v2-none", .v2, vrid: 51, addresses: ["10.251.90.100"]),
        KeepalivedScenario(
            "v2-pass", .v2, vrid: 52, addresses: ["10.251.90.101", "10.251.90.102"],
            authentication: .simplePassword(Array("secret12".utf8))),
        KeepalivedScenario(
            "v2-pass-short", .v2, vrid: 57, priority: 150, interval: .seconds(3), addresses: ["10.251.90.107"],
            authentication: .simplePassword(Array("abc".utf8))),
        KeepalivedScenario("v2-priority0", .v2, vrid: 56, priority: 0, addresses: ["10.251.90.106"]),
        KeepalivedScenario("v3-ipv4", .v3, vrid: 53, addresses: ["10.251.90.103"]),
        KeepalivedScenario(
            "v3-ipv4-centiseconds", .v3, vrid: 54, priority: 200, interval: .milliseconds(100),
            addresses: ["10.251.90.104"]),
        KeepalivedScenario(
            "v3-ipv6", .v3, vrid: 55, addresses: ["fd00:251:90::100"], source: "fe80::25:19ff:fe00:1",
            destination: "ff02::12"),
        KeepalivedScenario(
            "v3-ipv4-unicast", .v3, vrid: 58, addresses: ["10.251.90.108"], destination: "10.251.90.2"),
        KeepalivedScenario(
            "v3-ipv4-unicast-old-checksum", .v3, vrid: 59, addresses: ["10.251.90.109"], destination: "10.251.90.2"),
    ]
}

@Suite("keepalived 2.2.7 fixtures")
struct KeepalivedFixtureTests {
    /// The whole IP packet of a fixture, and its VRRP message (the bytes after the IP header).
    private func packet(_ scenario: KeepalivedScenario) throws -> (packet: [UInt8], message: [UInt8]) {
        let packet = try keepalivedFixture(scenario.name)
        let headerSize = scenario.expected.source.family == .v4 ? Int(packet[0] & 0x0F) * 4 : 40
        return (packet, Array(packet[headerSize...]))
    }

    @Test("decodes every field of the scenario's config", arguments: KeepalivedScenario.all)
    func decodesConfig(_ scenario: KeepalivedScenario) throws {
        let packet = try packet(scenario).packet
        let decoded =
            scenario.expected.source.family == .v4
            ? try VRRPPacketCodec.decodeIPv4Datagram(packet) : try VRRPPacketCodec.decodeIPv6Packet(packet)
        #expect(decoded == scenario.expected)
    }

    @Test(
        "encode reproduces keepalived's message byte for byte, checksum included",
        arguments: KeepalivedScenario.all.filter { !$0.name.hasSuffix("old-checksum") })
    func encodeReproducesBytes(_ scenario: KeepalivedScenario) throws {
        let message = try packet(scenario).message
        let expected = scenario.expected
        let encoded = VRRPPacketCodec.encode(
            expected.advertisement, source: expected.source, destination: expected.destination)
        #expect(encoded == message)
    }

    /// keepalived's `old_unicast_checksum` (and keepalived before 1.3.6) puts 224.0.0.18 in the
    /// VRRPv3 IPv4 pseudo-header even when it unicasts; decode accepts that, as keepalived does.
    @Test func oldUnicastChecksumUsesTheMulticastGroupInThePseudoHeader() throws {
        let scenario = try #require(KeepalivedScenario.all.first { $0.name.hasSuffix("old-checksum") })
        let message = try packet(scenario).message
        let advertisement = scenario.expected.advertisement
        let source = scenario.expected.source
        #expect(VRRPPacketCodec.encode(advertisement, source: source, destination: vrrpGroup4) == message)
        #expect(VRRPPacketCodec.encode(advertisement, source: source, destination: ip("10.251.90.2")) != message)
    }

    /// The legacy pseudo-header still covers the source: from another sender the message is bad.
    @Test func legacyChecksumStillCoversTheSource() throws {
        let scenario = try #require(KeepalivedScenario.all.first { $0.name.hasSuffix("old-checksum") })
        let message = try packet(scenario).message
        #expect(throws: VRRPPacketError.self) {
            try VRRPPacketCodec.decode(
                message, source: ip("10.251.90.5"), destination: ip("10.251.90.2"), hopLimit: 255)
        }
    }
}
