import Foundation
import VipdLab
import XCTest

/// `vipd monitor --read` as a user runs it: exit 0 healthy, 2 with findings, 1 with a clear error
/// (and the byte offset where it applies) for files it cannot read; garbage frames are counted, not fatal.
final class MonitorCommandTests: XCTestCase {
    private var directory: LabDirectory!

    override func setUpWithError() throws { directory = try LabDirectory(prefix: "vipd-monitor-cli") }
    override func tearDown() { directory.remove() }

    /// The lab captures committed with the monitor's unit tests.
    private func fixture(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("VipdMonitorTests/Fixtures/\(name).pcap").path
    }

    private func monitor(_ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(VipdProcess.binary, arguments: ["monitor"] + arguments, timeout: .seconds(60))
    }

    /// A classic little-endian pcap file: link type `linkType`, then `records` as (captured, declared length, bytes).
    private func pcap(linkType: UInt32 = 1, frames: [[UInt8]], cutLast: Int = 0) throws -> String {
        func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) } }
        var bytes = le32(0xA1B2_C3D4) + [2, 0, 4, 0] + le32(0) + le32(0) + le32(65535) + le32(linkType)
        for (index, frame) in frames.enumerated() {
            bytes += le32(1_795_000_000 + UInt32(index)) + le32(0) + le32(UInt32(frame.count)) + le32(UInt32(frame.count)) + frame
        }
        let file = directory.file("capture-\(UUID().uuidString).pcap")
        try Data(bytes.dropLast(cutLast)).write(to: file)
        return file.path
    }

    func testHealthyCaptureExitsZeroAndSplitBrainExitsTwo() throws {
        let healthy = try monitor(["--read", fixture("healthy-keepalived")])
        XCTAssertEqual(healthy.exitStatus, 0, healthy.standardOutput + healthy.standardError)
        XCTAssertTrue(healthy.standardOutput.hasSuffix("verdict: HEALTHY\n"), healthy.standardOutput)

        let split = try monitor(["--read", fixture("split-brain-nft"), "--json"])
        XCTAssertEqual(split.exitStatus, 2, split.standardError)
        let lines = split.standardOutput.split(separator: "\n")
        let objects = try lines.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        XCTAssertTrue(objects.contains { $0["event"] as? String == "finding" && $0["kind"] as? String == "split-brain" })
        XCTAssertEqual(objects.last?["event"] as? String, "summary")
        XCTAssertEqual(objects.last?["healthy"] as? Bool, false)
    }

    func testWriteKeepsTheEvidenceInAReadableCapture() throws {
        let evidence = directory.file("evidence.pcap").path
        let output = try monitor(["--read", fixture("split-brain-nft"), "--write", evidence])
        XCTAssertEqual(output.exitStatus, 2)
        let again = try monitor(["--read", evidence])
        XCTAssertEqual(again.exitStatus, 2)
        XCTAssertTrue(again.standardOutput.contains("CRITICAL SPLIT BRAIN on capture VRID 51"), again.standardOutput)
    }

    func testUnreadableFilesAreClearErrors() throws {
        let frame = [UInt8](repeating: 0, count: 60)
        let cases: [(path: String, message: String)] = [
            (directory.file("missing.pcap").path, "missing.pcap"),
            (try pcap(frames: [], cutLast: 24), "empty file (0 bytes), not a pcap or pcapng capture"),
            (try pcap(frames: [frame, frame], cutLast: 20), "truncated packet record at byte 100: header says 60 captured bytes, only 40 remain"),
            (try pcap(linkType: 147, frames: [frame]), "link type DLT 147"),
        ]
        for (path, message) in cases {
            let output = try monitor(["--read", path])
            XCTAssertEqual(output.exitStatus, 1, "\(path): \(output.standardOutput)")
            XCTAssertTrue(output.standardError.contains(message), "expected '\(message)' in: \(output.standardError)")
        }
        let text = directory.file("notes.txt")
        try Data("<html>not a capture</html>".utf8).write(to: text)
        XCTAssertTrue(try monitor(["--read", text.path]).standardError.contains("not a pcap or pcapng file (starts with 0x3c68746d)"))
    }

    func testGarbageFramesAreCountedAndSkipped() throws {
        var generator = SystemRandomNumberGenerator()
        var frames = (0..<200).map { _ in (0..<Int.random(in: 0...120, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) } }
        // Frames that claim IPv4 protocol 112 and then break off.
        let header: [UInt8] = [0x45, 0, 0, 60, 0, 0, 0, 0, 255, 112, 0, 0, 10, 251, 2, 11, 224, 0, 0, 18]
        frames += (0..<50).map { _ in [UInt8](repeating: 0xFF, count: 12) + [0x08, 0x00] + header + [0x31, 51, 100, 1, 0, 100, 0, 0] }
        let output = try monitor(["--read", try pcap(frames: frames), "--json"])
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
        let summary = try XCTUnwrap(output.standardOutput.split(separator: "\n").last)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])
        XCTAssertEqual(object["frames"] as? Int, 250)
        XCTAssertGreaterThanOrEqual((object["skipped"] as? [String: Int])?["ip_length_mismatch"] ?? 0, 50)
    }

    /// A pcapng copy of a lab capture with one packet stamped in the year 4200, as tshark reads it:
    /// the monitor reports it (times after it carry on from it) instead of dying on the far-out time.
    func testPacketStampedFarInTheFutureIsReadNotATrap() throws {
        let editcap = URL(fileURLWithPath: "/usr/bin/editcap")
        guard FileManager.default.isExecutableFile(atPath: editcap.path) else { throw XCTSkip("editcap (wireshark-common) is not installed") }
        let converted = directory.file("healthy.pcapng")
        try ProcessRunner.run(editcap, arguments: ["-F", "pcapng", fixture("healthy-keepalived"), converted.path], timeout: .seconds(30))
            .requireSuccess()
        var bytes = [UInt8](try Data(contentsOf: converted))
        // Walk the blocks (type, total length); the fifth enhanced packet block gets the time
        // 4200-01-01T00:00:00Z in microseconds, pcapng's default unit.
        func le32(_ offset: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[offset + $1]) << ($1 * 8) } }
        var offset = 0
        var packets = 0
        while offset + 12 <= bytes.count, packets < 5 {
            if le32(offset) == 6 { packets += 1 }
            if packets == 5 {
                let time: UInt64 = 70_372_022_400 * 1_000_000
                for (index, word) in [time >> 32, time & 0xFFFF_FFFF].enumerated() {
                    for byte in 0..<4 { bytes[offset + 12 + index * 4 + byte] = UInt8(truncatingIfNeeded: word >> (byte * 8)) }
                }
            } else {
                offset += le32(offset + 4)
            }
        }
        XCTAssertEqual(packets, 5, "the fixture has at least five packets")
        let patched = directory.file("year-4200.pcapng")
        try Data(bytes).write(to: patched)

        for format in [["--json"], []] {
            let output = try monitor(["--read", patched.path] + format)
            XCTAssertTrue([0, 2].contains(output.exitStatus), "exit \(output.exitStatus): \(output.standardError)")
            XCTAssertTrue(output.standardOutput.contains("4200-01-01T00:00:0"), output.standardOutput)
        }
    }

    func testLiveCaptureOnAMissingInterfaceIsAClearError() throws {
        let output = try monitor(["--interface", "vipd-no-such0", "--duration", "1"])
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("vipd-no-such0"), output.standardError)
    }

    func testDurationTakesTheConfigsUnits() throws {
        guard getuid() == 0 else { throw XCTSkip("a live capture needs root") }
        let started = ContinuousClock.now
        let output = try monitor(["--interface", "lo", "--duration", "1s500ms"])
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
        XCTAssertTrue(output.standardOutput.contains("watching lo for VRRP, ARP and NA for 1s500ms"), output.standardOutput)
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(1500))
        XCTAssertLessThan(elapsed, .seconds(45))
    }

    func testALiveCaptureWithoutAnInterfaceIsAUsageError() throws {
        let output = try monitor(["--duration", "1s"])
        XCTAssertEqual(output.exitStatus, 64)
        XCTAssertTrue(output.standardError.contains("name the interface to watch"), output.standardError)
        XCTAssertTrue(output.standardError.contains("vipd monitor"), "the usage shown is monitor's: \(output.standardError)")
    }

    func testAMalformedDurationIsAUsageError() throws {
        for text in ["10x", "0s", "-1", "1m1h"] {
            let output = try monitor(["--interface", "lo", "--duration=\(text)"])
            XCTAssertEqual(output.exitStatus, 64, "\(text): \(output.standardError)")
            XCTAssertTrue(output.standardError.contains("--duration \(text)"), "\(text): \(output.standardError)")
        }
    }
}
