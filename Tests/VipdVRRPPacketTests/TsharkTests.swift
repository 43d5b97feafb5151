import Foundation
import Testing
import VipdCore
import VipdVRRPPacket

/// Where `tshark` is on PATH, nil when it is not installed.
private let tsharkPath: String? = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
    .split(separator: ":")
    .map { "\($0)/tshark" }
    .first { FileManager.default.isExecutableFile(atPath: $0) }

/// Wireshark's dissector reads what our encoder writes: fields, addresses, and a good checksum.
@Suite(
    "tshark decodes what we encode",
    .enabled(if: tsharkPath != nil, "tshark is not installed (apt-get install tshark); CI installs it"),
    .timeLimit(.minutes(1)))
struct TsharkTests {
    /// An advertisement we encode, and the line `tshark -T fields` must print for it.
    struct Case {
        var advertisement: VRRPAdvertisement
        var source: IPAddress
        var destination: IPAddress
        var expectedFields: String
    }

    static let fields = [
        "vrrp.version", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.checksum.status", "vrrp.ip_addr", "vrrp.ipv6_addr",
        "vrrp.auth_string", "vrrp.adver_int", "vrrp.short_adver_int",
    ]

    let cases = [
        Case(
            advertisement: VRRPAdvertisement(
                version: .v2, virtualRouterID: 51, priority: 100, interval: .seconds(1),
                addresses: [ip("10.251.90.100")]),
            source: ip("10.251.90.1"), destination: vrrpGroup4,
            expectedFields: "2\t51\t100\t1\t10.251.90.100\t\t\t1\t"),
        Case(
            advertisement: VRRPAdvertisement(
                version: .v2, virtualRouterID: 52, priority: 150, interval: .seconds(3),
                addresses: [ip("10.251.90.101"), ip("10.251.90.102")],
                authentication: .simplePassword(Array("secret12".utf8))),
            source: ip("10.251.90.1"), destination: vrrpGroup4,
            expectedFields: "2\t52\t150\t1\t10.251.90.101,10.251.90.102\t\tsecret12\t3\t"),
        Case(
            advertisement: VRRPAdvertisement(
                version: .v2, virtualRouterID: 57, priority: 0, interval: .seconds(255),
                addresses: [ip("10.251.90.107")], authentication: .simplePassword(Array("pw".utf8))),
            source: ip("10.251.90.1"), destination: vrrpGroup4,
            expectedFields: "2\t57\t0\t1\t10.251.90.107\t\tpw\t255\t"),
        Case(
            advertisement: VRRPAdvertisement(
                version: .v3, virtualRouterID: 53, priority: 200, interval: .milliseconds(100),
                addresses: [ip("10.251.90.103")]),
            source: ip("10.251.90.1"), destination: vrrpGroup4,
            expectedFields: "3\t53\t200\t1\t10.251.90.103\t\t\t\t10"),
        Case(
            advertisement: VRRPAdvertisement(
                version: .v3, virtualRouterID: 58, priority: 255, interval: .milliseconds(40_950),
                addresses: [ip("10.251.90.108")]),
            source: ip("10.251.90.1"), destination: ip("10.251.90.2"),
            expectedFields: "3\t58\t255\t1\t10.251.90.108\t\t\t\t4095"),
        Case(
            advertisement: VRRPAdvertisement(
                version: .v3, virtualRouterID: 55, priority: 100, interval: .seconds(1),
                addresses: [ip("fd00:251:90::100"), ip("fd00:251:90::101")]),
            source: ip("fe80::25:19ff:fe00:1"), destination: vrrpGroup6,
            expectedFields: "3\t55\t100\t1\t\tfd00:251:90::100,fd00:251:90::101\t\t\t100"),
    ]

    /// The case's message in an IP header, as it goes on the wire.
    private func ipPacket(_ testCase: Case) -> [UInt8] {
        let message = encoded(testCase.advertisement, testCase.source, testCase.destination)
        return testCase.source.family == .v4
            ? ipv4Datagram(message, source: testCase.source, destination: testCase.destination)
            : ipv6Packet(message, source: testCase.source, destination: testCase.destination)
    }

    @Test func fieldsAndChecksumsAreRight() throws {
        try withPcap(cases.map { (ipPacket($0), $0.advertisement.virtualRouterID) }) { path in
            let lines = try tshark(
                ["-r", path, "-T", "fields", "-E", "separator=/t"] + Self.fields.flatMap { ["-e", $0] }
            )
            .split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            #expect(lines == cases.map(\.expectedFields))
        }
    }

    @Test func noMalformedPacketOrChecksumExpertInfo() throws {
        try withPcap(cases.map { (ipPacket($0), $0.advertisement.virtualRouterID) }) { path in
            let verbose = try tshark(["-r", path, "-V"])
            #expect(!verbose.contains("Malformed"))
            #expect(verbose.components(separatedBy: "[Checksum Status: Good]").count - 1 == cases.count)
            #expect(verbose.contains("Virtual Rtr ID: 55"))
            #expect(verbose.contains("IPv6 Address: fd00:251:90::101"))
            let expert = try tshark(["-r", path, "-z", "expert", "-q"])
            #expect(!expert.contains("Malformed"))
            #expect(!expert.lowercased().contains("checksum"))
            #expect(!expert.contains("Error"))
        }
    }

    /// The expert-info check is not vacuous: one wrong checksum bit and tshark says so.
    @Test func tsharkSeesACorruptedChecksum() throws {
        var packet = ipPacket(cases[3])
        packet[20 + 7] ^= 0x01
        try withPcap([(packet, 53)]) { path in
            let expert = try tshark(["-r", path, "-z", "expert", "-q"])
            #expect(expert.contains("Bad checksum"))
        }
    }

    /// Writes `packets` to a pcap file in a fresh temporary folder, runs `body` on its path, removes it.
    private func withPcap(_ packets: [([UInt8], UInt8)], _ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vipd-vrrp-tshark-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var pcap = PcapFile()
        for (packet, vrid) in packets {
            pcap.append(ipPacket: packet, vrid: vrid)
        }
        let path = folder.appendingPathComponent("vrrp.pcap").path
        try Data(pcap.bytes).write(to: URL(fileURLWithPath: path))
        try body(path)
    }

    /// Runs tshark with RFC 5798 checksums for VRRPv3 (its default, made explicit) and returns
    /// its standard output; gives it 30 seconds.
    private func tshark(_ arguments: [String]) throws -> String {
        let executable = try #require(tsharkPath)
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent(
            "vipd-tshark-\(UUID().uuidString).out")
        #expect(FileManager.default.createFile(atPath: outputURL.path, contents: nil))
        defer { try? FileManager.default.removeItem(at: outputURL) }
        let output = try FileHandle(forWritingTo: outputURL)
        defer { try? output.close() }

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-o", "vrrp.v3_checksum_as_in_v2:FALSE"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("tshark \(arguments) did not finish in 30 s")
        }
        #expect(process.terminationStatus == 0, "tshark \(arguments) exited \(process.terminationStatus)")
        return String(decoding: try Data(contentsOf: outputURL), as: UTF8.self)
    }
}
