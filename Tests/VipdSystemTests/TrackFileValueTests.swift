import Foundation
import VipdSystem
import XCTest

/// The integer of a tracked file: what keepalived's track_file writers write, and everything else.
final class TrackFileValueTests: XCTestCase {
    private func parse(_ text: String) -> TrackFileValue.Reading { TrackFileValue.parse(Array(text.utf8)) }

    func testIntegersAsEchoWritesThem() {
        XCTAssertEqual(parse("10\n"), .value(10))
        XCTAssertEqual(parse("-20\n"), .value(-20))
        XCTAssertEqual(parse("+3"), .value(3))
        XCTAssertEqual(parse("  7 \r\n\t"), .value(7))
        XCTAssertEqual(parse("007"), .value(7), "decimal, not octal")
    }

    func testAnEmptyFileIsZero() {
        XCTAssertEqual(parse(""), .value(0))
        XCTAssertEqual(parse(" \n\n"), .value(0))
    }

    func testTheThirtyTwoBitRange() {
        XCTAssertEqual(parse("2147483647"), .value(2_147_483_647))
        XCTAssertEqual(parse("-2147483648"), .value(-2_147_483_648))
        XCTAssertEqual(parse("2147483648"), .invalid("out of the range -2147483648...2147483647"))
        XCTAssertEqual(parse("-2147483649"), .invalid("out of the range -2147483648...2147483647"))
        XCTAssertEqual(parse(String(repeating: "9", count: 100)), .invalid("out of the range -2147483648...2147483647"))
    }

    func testAnythingElseIsNotAnInteger() {
        for text in ["ten", "10 20", "1.5", "0x10", "-", "+", "--1", "1-", "10\n# comment", "\u{0}1", "١٢"] {
            XCTAssertEqual(parse(text), .invalid("not a decimal integer"), text)
        }
    }

    func testMoreThan127BytesIsRefused() {
        XCTAssertEqual(parse(String(repeating: " ", count: 126) + "1"), .value(1))
        XCTAssertEqual(parse(String(repeating: " ", count: 127) + "1"), .invalid("longer than 127 bytes"))
    }

    func testEveryByteAloneIsAnAnswer() {
        for byte in UInt8.min...UInt8.max {
            let reading = TrackFileValue.parse([byte])
            if (0x30...0x39).contains(byte) {
                XCTAssertEqual(reading, .value(Int64(byte - 0x30)))
            } else if byte == 0x20 || (0x09...0x0D).contains(byte) {
                XCTAssertEqual(reading, .value(0))
            } else {
                XCTAssertEqual(reading, .invalid("not a decimal integer"), "byte \(byte)")
            }
        }
    }

    /// The file as vipd reads it: missing, unreadable, a FIFO, not an integer, an integer.
    func testReadingFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-track-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("priority").path

        let missing = TrackFile.read(path)
        XCTAssertEqual(missing.value, 0)
        XCTAssertEqual(missing.problem, "cannot read \(path): No such file or directory")

        try "-20\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(TrackFile.read(path).value, -20)
        XCTAssertNil(TrackFile.read(path).problem)

        try "high".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertEqual(TrackFile.read(path).value, 0)
        XCTAssertEqual(TrackFile.read(path).problem, "\(path) holds no integer vipd reads: not a decimal integer")

        let fifo = directory.appendingPathComponent("fifo").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        let started = ContinuousClock.now
        XCTAssertEqual(TrackFile.read(fifo).value, 0, "a FIFO without a writer reads as empty, at once")
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))

        XCTAssertEqual(TrackFile.read(directory.path).value, 0)
        XCTAssertEqual(TrackFile.read(directory.path).problem, "cannot read \(directory.path): Is a directory")
    }
}
