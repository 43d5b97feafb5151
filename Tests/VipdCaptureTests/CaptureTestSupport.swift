import Foundation
import VipdCapture
import VipdLab

/// A fresh directory under /tmp for one test's files, removed by `remove()` (and in deinit).
final class ScratchDirectory: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-capture-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
    }

    deinit { remove() }

    /// The path of `name` in the directory.
    func path(_ name: String) -> String {
        url.appendingPathComponent(name).path
    }

    /// Writes `bytes` to `name` and returns its path.
    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let path = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Deletes the directory and everything in it.
    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// `count` Ethernet frames of assorted lengths (0 to 1514 bytes, some cut short on the wire),
/// with nanosecond timestamps that are not whole microseconds.
func samplePackets(count: Int) -> [CapturedPacket] {
    (0..<count).map { index in
        let length = [60, 0, 1514, 14, 98, 342][index % 6]
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ index) }
        let timestamp = Duration.seconds(1_700_000_000 + index) + .nanoseconds(123_456_789 + index)
        return CapturedPacket(timestamp: timestamp, originalLength: length + (index % 3 == 0 ? 100 : 0), bytes: bytes)
    }
}

/// Writes `packets` to a new pcap file at `path` with `PcapFileWriter`.
func writeCapture(_ packets: [CapturedPacket], to path: String, linkType: LinkType = .ethernet, snapshotLength: Int32 = 262_144) throws {
    let writer = try PcapFileWriter(path: path, linkType: linkType, snapshotLength: snapshotLength)
    for packet in packets {
        try writer.write(packet)
    }
    try writer.close()
}

/// Every packet of the capture at `path`, or the error that ended reading with the packets
/// read before it.
func readCapture(_ path: String) -> (packets: [CapturedPacket], error: CaptureError?) {
    var packets: [CapturedPacket] = []
    do {
        let reader = try PcapFileReader(path: path)
        while let packet = try reader.next() {
            packets.append(packet)
        }
        return (packets, nil)
    } catch {
        return (packets, error)
    }
}

/// Bytes of a classic pcap file built by hand, for files `PcapFileWriter` would never write:
/// either byte order, microsecond timestamps, odd snapshot lengths, lying record headers.
struct HandMadePcap {
    private(set) var bytes: [UInt8]
    private let bigEndian: Bool

    /// The 24-byte file header.
    init(bigEndian: Bool = false, nanosecond: Bool = false, version: (UInt16, UInt16) = (2, 4), snapshotLength: UInt32 = 65535, linkType: UInt32 = 1) {
        self.bigEndian = bigEndian
        bytes = []
        append(nanosecond ? 0xA1B2_3C4D : 0xA1B2_C3D4, size: 4)
        append(UInt32(version.0), size: 2)
        append(UInt32(version.1), size: 2)
        append(0, size: 4)
        append(0, size: 4)
        append(snapshotLength, size: 4)
        append(linkType, size: 4)
    }

    /// A record: its header claims `capturedLength` (default: the data's length) and the data follows.
    mutating func appendRecord(seconds: UInt32, fraction: UInt32, data: [UInt8], capturedLength: UInt32? = nil, wireLength: UInt32? = nil) {
        append(seconds, size: 4)
        append(fraction, size: 4)
        append(capturedLength ?? UInt32(data.count), size: 4)
        append(wireLength ?? UInt32(data.count), size: 4)
        bytes += data
    }

    private mutating func append(_ value: UInt32, size: Int) {
        let little = (0..<size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
        bytes += bigEndian ? little.reversed() : little
    }
}

/// Wireshark's `editcap`, or nil when it is not installed.
let editcap: URL? = ["/usr/bin/editcap", "/usr/local/bin/editcap"]
    .first { FileManager.default.isExecutableFile(atPath: $0) }
    .map { URL(fileURLWithPath: $0) }

/// Converts the pcap file at `source` to pcapng at `destination` with `editcap -F pcapng`.
func convertToPcapng(_ source: String, _ destination: String, editcap: URL) throws {
    try ProcessRunner.run(editcap, arguments: ["-F", "pcapng", source, destination], timeout: .seconds(30)).requireSuccess()
}

/// Bytes of a little-endian pcapng file built by hand, for times `PcapFileWriter` would never
/// write: one section, one Ethernet interface whose time unit is 10^-`timeResolution` seconds
/// (if_tsresol; pcapng's default, microseconds, when nil), and enhanced packet blocks with any 64-bit time.
struct HandMadePcapng {
    private(set) var bytes: [UInt8] = []

    init(timeResolution: UInt8? = nil) {
        // Section header: byte-order magic, version 1.0, section length unknown.
        block(type: 0x0A0D_0D0A, body: Self.le(0x1A2B_3C4D, 4) + Self.le(1, 2) + Self.le(0, 2) + Self.le(UInt64.max, 8))
        let options = timeResolution.map { Self.le(9, 2) + Self.le(1, 2) + [$0, 0, 0, 0] + Self.le(0, 4) } ?? []
        block(type: 1, body: Self.le(1, 2) + Self.le(0, 2) + Self.le(65535, 4) + options)
    }

    /// An enhanced packet block on the interface at `time` (in its units) holding `data`.
    mutating func appendPacket(time: UInt64, data: [UInt8]) {
        let padding = [UInt8](repeating: 0, count: (4 - data.count % 4) % 4)
        block(
            type: 6,
            body: Self.le(0, 4) + Self.le(time >> 32, 4) + Self.le(time & 0xFFFF_FFFF, 4) + Self.le(UInt64(data.count), 4)
                + Self.le(UInt64(data.count), 4) + data + padding)
    }

    private mutating func block(type: UInt64, body: [UInt8]) {
        let total = UInt64(12 + body.count)
        bytes += Self.le(type, 4) + Self.le(total, 4) + body + Self.le(total, 4)
    }

    private static func le(_ value: UInt64, _ size: Int) -> [UInt8] {
        (0..<size).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
