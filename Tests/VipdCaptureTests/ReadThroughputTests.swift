import Foundation
import VipdCapture
import XCTest

/// A throughput measurement run by hand, not a test: it prints packets per second and asserts
/// nothing about speed. Run it with
/// `VIPD_MEASURE_CAPTURE_READ=1 swift test --filter ReadThroughputTests` (use `-c release` for
/// the real figure).
final class ReadThroughputTests: XCTestCase {
    func testMeasureReadingSmallPackets() throws {
        guard ProcessInfo.processInfo.environment["VIPD_MEASURE_CAPTURE_READ"] != nil else {
            throw XCTSkip("set VIPD_MEASURE_CAPTURE_READ=1 to measure")
        }
        let count = Int(ProcessInfo.processInfo.environment["VIPD_MEASURE_CAPTURE_PACKETS"] ?? "") ?? 200_000
        let directory = try ScratchDirectory()
        let path = directory.path("throughput.pcap")
        let writer = try PcapFileWriter(path: path, linkType: .ethernet)
        let frame = [UInt8](repeating: 0x42, count: 60)
        for index in 0..<count {
            try writer.write(CapturedPacket(timestamp: .nanoseconds(index), originalLength: 60, bytes: frame))
        }
        try writer.close()

        let reader = try PcapFileReader(path: path)
        var bytes = 0
        let started = ContinuousClock.now
        while let packet = try reader.next() {
            bytes += packet.bytes.count
        }
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(reader.packetsRead, count)
        XCTAssertEqual(bytes, count * 60)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("read \(count) 60-byte packets in \(elapsed): \(Int(Double(count) / seconds)) packets/s")
    }
}
