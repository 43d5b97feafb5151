import VipdCapture
import XCTest

/// Files that are missing, empty, no capture, or damaged: each gives one clear error naming the
/// path and, inside the records, the byte where the damage starts.
final class DamagedFileTests: XCTestCase {
    private var directory: ScratchDirectory!
    /// Three 60-byte Ethernet frames: records start at bytes 24, 100 and 176; the file is 252 bytes.
    private var threePackets: [UInt8] = []

    override func setUpWithError() throws {
        directory = try ScratchDirectory()
        var file = HandMadePcap()
        for index in 0..<3 {
            file.appendRecord(seconds: 1_700_000_000, fraction: UInt32(index), data: Array(repeating: UInt8(index), count: 60))
        }
        threePackets = file.bytes
    }

    override func tearDown() {
        directory.remove()
    }

    /// Asserts that opening `path` throws exactly `expected`.
    private func assertOpenFails(_ path: String, _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try PcapFileReader(path: path), file: file, line: line) { error in
            XCTAssertEqual("\(error)", expected, file: file, line: line)
        }
    }

    /// Asserts that reading `bytes` as a file yields `packets` packets, then exactly `expected` at `offset`.
    private func assertReadFails(
        _ bytes: [UInt8], after packets: Int, _ expected: String, offset: Int?, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let path = try directory.write(bytes, to: "damaged.pcap")
        let (read, error) = readCapture(path)
        XCTAssertEqual(read.count, packets, file: file, line: line)
        XCTAssertEqual(error?.description, "\(path): \(expected)", file: file, line: line)
        XCTAssertEqual(error?.byteOffset, offset, file: file, line: line)
    }

    func testMissingFile() {
        let path = directory.path("missing.pcap")
        assertOpenFails(path, "\(path): cannot open: No such file or directory (errno 2)")
    }

    func testDirectory() {
        assertOpenFails(directory.url.path, "\(directory.url.path): is a directory, not a capture file")
    }

    func testEmptyFile() throws {
        let path = try directory.write([], to: "empty.pcap")
        assertOpenFails(path, "\(path): empty file (0 bytes), not a pcap or pcapng capture")
    }

    func testFileShorterThanAMagicNumber() throws {
        let path = try directory.write([0xD4, 0xC3], to: "two.pcap")
        assertOpenFails(path, "\(path): too short (2 bytes) to be a pcap or pcapng capture")
    }

    func testTenByteFileHasATruncatedHeader() throws {
        let path = try directory.write(Array(threePackets.prefix(10)), to: "ten.pcap")
        assertOpenFails(path, "\(path): truncated pcap file header: 24 bytes needed, the file has only 10")
    }

    func testBadMagicShowsTheFirstBytes() throws {
        let path = try directory.write(Array("<html><body>not a capture</body></html>".utf8), to: "x.pcap")
        assertOpenFails(path, "\(path): not a pcap or pcapng file (starts with 0x3c68746d)")
    }

    func testUnsupportedVersionIsLibpcapsComplaint() throws {
        let path = try directory.write(HandMadePcap(version: (3, 0)).bytes, to: "v3.pcap")
        assertOpenFails(path, "\(path): unsupported pcap savefile version 3.0")
    }

    func testTruncatedInARecordHeader() throws {
        try assertReadFails(
            Array(threePackets.prefix(176 + 5)), after: 2,
            "truncated packet record header at byte 176: 16 bytes needed, only 5 remain", offset: 176)
    }

    func testTruncatedInRecordData() throws {
        try assertReadFails(
            Array(threePackets.prefix(176 + 16 + 10)), after: 2,
            "truncated packet record at byte 176: header says 60 captured bytes, only 10 remain", offset: 176)
    }

    func testTruncatedInBigEndianRecordData() throws {
        var file = HandMadePcap(bigEndian: true)
        file.appendRecord(seconds: 1, fraction: 0, data: Array(repeating: 7, count: 40))
        try assertReadFails(
            Array(file.bytes.dropLast(15)), after: 0,
            "truncated packet record at byte 24: header says 40 captured bytes, only 25 remain", offset: 24)
    }

    func testOffsetStaysRightAfterARecordCutToTheSnapshotLength() throws {
        var file = HandMadePcap(snapshotLength: 64)
        file.appendRecord(seconds: 1, fraction: 0, data: Array(repeating: 1, count: 100))
        file.appendRecord(seconds: 2, fraction: 0, data: Array(repeating: 2, count: 10))
        file.appendRecord(seconds: 3, fraction: 0, data: Array(repeating: 3, count: 30))
        try assertReadFails(
            Array(file.bytes.dropLast(1)), after: 2,
            "truncated packet record at byte 166: header says 30 captured bytes, only 29 remain", offset: 166)
    }

    func testAbsurdCapturedLength() throws {
        var file = HandMadePcap()
        file.appendRecord(seconds: 1, fraction: 0, data: [1, 2, 3])
        file.appendRecord(seconds: 2, fraction: 0, data: [4, 5, 6], capturedLength: 0xFFFF_FFF0)
        try assertReadFails(
            file.bytes, after: 1,
            "cannot read the packet record at byte 43: invalid packet capture length 4294967280, bigger than snaplen of 65535",
            offset: 43)
    }

    func testErrorIsRepeatedByLaterReads() throws {
        let path = try directory.write(Array(threePackets.prefix(200)), to: "cut.pcap")
        let reader = try PcapFileReader(path: path)
        XCTAssertNotNil(try reader.next())
        XCTAssertNotNil(try reader.next())
        var errors: [String] = []
        for _ in 0..<2 {
            XCTAssertThrowsError(try reader.next()) { errors.append("\($0)") }
        }
        XCTAssertEqual(errors.count, 2)
        XCTAssertEqual(errors.first, errors.last)
        XCTAssertEqual(reader.packetsRead, 2)
    }

    func testTruncatedPcapngNamesTheBlock() throws {
        guard let editcap else { throw XCTSkip("editcap (wireshark-common) is not installed") }
        let pcap = try directory.write(threePackets, to: "whole.pcap")
        let pcapng = directory.path("whole.pcapng")
        try convertToPcapng(pcap, pcapng, editcap: editcap)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: pcapng)))
        let path = try directory.write(Array(bytes.dropLast(20)), to: "cut.pcapng")
        let (read, error) = readCapture(path)
        XCTAssertEqual(read.count, 2)
        let message = try XCTUnwrap(error?.description)
        XCTAssertTrue(message.hasPrefix("\(path): cannot read the pcapng block at byte "), message)
        let offset = try XCTUnwrap(error?.byteOffset)
        XCTAssertTrue(offset > 28 && offset < bytes.count - 20, "offset \(offset) inside a file of \(bytes.count - 20) bytes")
    }
}
