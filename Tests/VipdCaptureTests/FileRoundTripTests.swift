import VipdCapture
import XCTest

/// What `PcapFileWriter` writes, `PcapFileReader` reads back unchanged, and libpcap's other
/// layouts (pcapng, microsecond, big-endian) read as the same packets.
final class FileRoundTripTests: XCTestCase {
    private var directory: ScratchDirectory!

    override func setUpWithError() throws {
        directory = try ScratchDirectory()
    }

    override func tearDown() {
        directory.remove()
    }

    func testWrittenPacketsReadBackWithBytesLengthsAndNanosecondTimestamps() throws {
        let packets = samplePackets(count: 60)
        let path = directory.path("sample.pcap")
        try writeCapture(packets, to: path)
        let reader = try PcapFileReader(path: path)
        XCTAssertEqual(reader.linkType, .ethernet)
        var read: [CapturedPacket] = []
        while let packet = try reader.next() {
            read.append(packet)
        }
        XCTAssertEqual(read, packets)
        XCTAssertEqual(reader.packetsRead, 60)
        XCTAssertNil(try reader.next(), "the end stays the end")
    }

    func testHeaderOnlyCaptureReadsAsZeroPackets() throws {
        let path = directory.path("empty-capture.pcap")
        try writeCapture([], to: path)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int, 24)
        let reader = try PcapFileReader(path: path)
        XCTAssertNil(try reader.next())
        XCTAssertEqual(reader.packetsRead, 0)
    }

    func testOtherLinkTypesAreKept() throws {
        for linkType in [LinkType.linuxCooked, .linuxCooked2, .rawIP, LinkType(rawValue: 147)] {
            let path = directory.path("link-\(linkType.rawValue).pcap")
            let packets = samplePackets(count: 3)
            try writeCapture(packets, to: path, linkType: linkType)
            let reader = try PcapFileReader(path: path)
            XCTAssertEqual(reader.linkType, linkType)
            XCTAssertEqual(try reader.next(), packets[0])
        }
    }

    func testPcapngCopyReadsAsTheSamePackets() throws {
        guard let editcap else { throw XCTSkip("editcap (wireshark-common) is not installed") }
        let packets = samplePackets(count: 25)
        let pcap = directory.path("sample.pcap")
        let pcapng = directory.path("sample.pcapng")
        try writeCapture(packets, to: pcap)
        try convertToPcapng(pcap, pcapng, editcap: editcap)
        let (read, error) = readCapture(pcapng)
        XCTAssertNil(error)
        XCTAssertEqual(read, packets)
        XCTAssertEqual(try PcapFileReader(path: pcapng).linkType, .ethernet)
    }

    func testMicrosecondAndBigEndianFilesReadWithNanosecondTimestamps() throws {
        let frame = (0..<60).map { UInt8($0) }
        for (bigEndian, nanosecond) in [(false, false), (true, false), (true, true)] {
            var file = HandMadePcap(bigEndian: bigEndian, nanosecond: nanosecond, linkType: 113)
            file.appendRecord(seconds: 1_700_000_000, fraction: 654_321, data: frame, wireLength: 80)
            let path = try directory.write(file.bytes, to: "hand-\(bigEndian)-\(nanosecond).pcap")
            let reader = try PcapFileReader(path: path)
            XCTAssertEqual(reader.linkType, .linuxCooked)
            let packet = try XCTUnwrap(try reader.next())
            let fraction: Duration = nanosecond ? .nanoseconds(654_321) : .microseconds(654_321)
            XCTAssertEqual(packet, CapturedPacket(timestamp: .seconds(1_700_000_000) + fraction, originalLength: 80, bytes: frame))
            XCTAssertNil(try reader.next())
        }
    }

    func testTimesPast2038RoundTripAndOutOfRangeTimesAreClamped() throws {
        let times: [Duration] = [.seconds(3_000_000_000) + .nanoseconds(5), .seconds(-10), .seconds(Int64(1) << 40)]
        let packets = times.map { CapturedPacket(timestamp: $0, originalLength: 1, bytes: [0xAB]) }
        let path = directory.path("times.pcap")
        try writeCapture(packets, to: path)
        let (read, error) = readCapture(path)
        XCTAssertNil(error)
        XCTAssertEqual(read.map(\.timestamp), [
            .seconds(3_000_000_000) + .nanoseconds(5), .zero, .seconds(Int64(UInt32.max)) + .nanoseconds(999_999_999),
        ])
    }

    /// pcapng holds 64 bits of time units: a time in the year 4200 reads as it is; one past the year
    /// 9999 or before the epoch (libpcap's signed seconds) is clamped into `timestampRange`.
    func testPcapngTimesFarFromNowReadAsTheyAreOrClamped() throws {
        var microseconds = HandMadePcapng()
        microseconds.appendPacket(time: 70_372_022_400 * 1_000_000 + 5, data: [1, 2, 3])
        let (read, error) = readCapture(try directory.write(microseconds.bytes, to: "year-4200.pcapng"))
        XCTAssertNil(error)
        XCTAssertEqual(read, [CapturedPacket(timestamp: .seconds(70_372_022_400) + .microseconds(5), originalLength: 3, bytes: [1, 2, 3])])

        var seconds = HandMadePcapng(timeResolution: 0)
        seconds.appendPacket(time: 1 << 62, data: [4])
        seconds.appendPacket(time: 1 << 63 + 5, data: [5])
        let (clamped, clampedError) = readCapture(try directory.write(seconds.bytes, to: "far-out.pcapng"))
        XCTAssertNil(clampedError)
        XCTAssertEqual(clamped.map(\.timestamp), [CapturedPacket.timestampRange.upperBound, .zero])
    }

    func testSnapshotLengthCutsLongPacketsAndKeepsTheirWireLength() throws {
        let long = CapturedPacket(timestamp: .seconds(1), originalLength: 150, bytes: Array(repeating: 0x5A, count: 100))
        let inconsistent = CapturedPacket(timestamp: .seconds(2), originalLength: 1, bytes: [1, 2, 3])
        let path = directory.path("snap.pcap")
        try writeCapture([long, inconsistent], to: path, snapshotLength: 64)
        let (read, error) = readCapture(path)
        XCTAssertNil(error)
        XCTAssertEqual(read, [
            CapturedPacket(timestamp: .seconds(1), originalLength: 150, bytes: Array(repeating: 0x5A, count: 64)),
            CapturedPacket(timestamp: .seconds(2), originalLength: 3, bytes: [1, 2, 3]),
        ], "a wire length shorter than the bytes is raised to their count")
    }

    func testRecordLongerThanTheFileSnapshotLengthIsCutAndReadingGoesOn() throws {
        var file = HandMadePcap(snapshotLength: 64)
        file.appendRecord(seconds: 1, fraction: 0, data: Array(repeating: 1, count: 100))
        file.appendRecord(seconds: 2, fraction: 0, data: Array(repeating: 2, count: 10))
        let (read, error) = readCapture(try directory.write(file.bytes, to: "long-record.pcap"))
        XCTAssertNil(error)
        XCTAssertEqual(read.map(\.bytes), [Array(repeating: 1, count: 64), Array(repeating: 2, count: 10)])
    }

    func testAbsurdSnapshotLengthInTheFileHeaderStillReads() throws {
        var file = HandMadePcap(snapshotLength: 0xFFFF_FFFF)
        file.appendRecord(seconds: 1, fraction: 0, data: [1, 2, 3])
        let (read, error) = readCapture(try directory.write(file.bytes, to: "huge-snaplen.pcap"))
        XCTAssertNil(error)
        XCTAssertEqual(read.map(\.bytes), [[1, 2, 3]])
    }

    func testClosedReaderAndWriterThrowAndCloseTwiceIsHarmless() throws {
        let path = directory.path("closed.pcap")
        let writer = try PcapFileWriter(path: path, linkType: .ethernet)
        try writer.write(samplePackets(count: 1)[0])
        try writer.close()
        try writer.close()
        XCTAssertThrowsError(try writer.write(samplePackets(count: 1)[0])) { error in
            XCTAssertEqual("\(error)", "\(path): the writer is closed")
        }
        XCTAssertEqual(writer.packetsWritten, 1)
        let reader = try PcapFileReader(path: path)
        reader.close()
        reader.close()
        XCTAssertThrowsError(try reader.next()) { error in
            XCTAssertEqual("\(error)", "\(path): the reader is closed")
        }
    }

    func testWriterErrorsSayWhatIsWrong() {
        let missing = directory.path("no-such-directory/out.pcap")
        XCTAssertThrowsError(try PcapFileWriter(path: missing, linkType: .ethernet)) { error in
            XCTAssertEqual("\(error)", "\(missing): cannot create the capture file: No such file or directory")
        }
        let path = directory.path("zero-snap.pcap")
        XCTAssertThrowsError(try PcapFileWriter(path: path, linkType: .ethernet, snapshotLength: 0)) { error in
            XCTAssertEqual("\(error)", "\(path): the snapshot length must be positive, not 0")
        }
    }

    func testWriteFailureIsReportedWhenTheDiskIsFull() throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { throw XCTSkip("/dev/full is not available") }
        let writer = try PcapFileWriter(path: "/dev/full", linkType: .ethernet)
        XCTAssertThrowsError(try writer.flush()) { error in
            XCTAssertEqual("\(error)", "/dev/full: cannot write: No space left on device (errno 28)")
        }
    }

    func testLinkTypeNamesComeFromLibpcap() {
        XCTAssertEqual(LinkType.ethernet.rawValue, 1)
        XCTAssertEqual(LinkType.rawIP.rawValue, 12)
        XCTAssertEqual(LinkType.ethernet.name, "EN10MB")
        XCTAssertEqual(LinkType.ethernet.description, "EN10MB (Ethernet)")
        XCTAssertEqual(LinkType.linuxCooked2.name, "LINUX_SLL2")
        XCTAssertEqual(LinkType(rawValue: 147).name, "DLT 147")
        XCTAssertEqual(LinkType(rawValue: 147).description, "DLT 147")
    }
}
