import Foundation
@testable import VipdSystem
import XCTest

/// HostFile.forEachLine: the lines of a file read a chunk at a time, as `split` on the whole text gives them.
final class HostFileLineTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-hostfile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(at: directory)
    }

    private func lines(of text: String) throws -> [String] {
        let path = directory.appendingPathComponent("file").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        var lines: [String] = []
        try HostFile.forEachLine(path) { line, number in
            XCTAssertEqual(number, lines.count + 1)
            lines.append(String(line))
        }
        return lines
    }

    /// What `split` on the whole text gives, without the empty piece after a final newline.
    private func expected(_ text: String) -> [String] {
        var pieces = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if text.hasSuffix("\n") || text.isEmpty { pieces.removeLast() }
        return pieces
    }

    func testEmptyFileHasNoLines() throws {
        XCTAssertEqual(try lines(of: ""), [])
    }

    func testLastLineWithoutNewlineIsDelivered() throws {
        XCTAssertEqual(try lines(of: "a\nb"), ["a", "b"])
        XCTAssertEqual(try lines(of: "a\nb\n"), ["a", "b"])
        XCTAssertEqual(try lines(of: "\n\nx\n"), ["", "", "x"])
    }

    func testLinesAcrossChunkBoundariesAreWhole() throws {
        // Lines of every length from 0 to 300 bytes, repeated past several 64 KiB chunks, so that
        // chunk boundaries fall at every offset within a line, on a newline and just after it.
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("abcdéf0123 :")
        var text = ""
        while text.utf8.count < 400_000 {
            let length = Int.random(in: 0...300, using: &generator)
            text += String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }) + "\n"
        }
        text += "no newline at the end"
        XCTAssertEqual(try lines(of: text), expected(text))
    }

    func testALineLongerThanAChunkIsWhole() throws {
        let long = String(repeating: "x", count: 200_000)
        XCTAssertEqual(try lines(of: "a\n\(long)\nb\n"), ["a", long, "b"])
    }

    func testAnErrorFromTheBodyStopsTheRead() throws {
        struct Stop: Error {}
        let path = directory.appendingPathComponent("file").path
        try Data("1\n2\n3\n".utf8).write(to: URL(fileURLWithPath: path))
        var seen: [Substring] = []
        XCTAssertThrowsError(try HostFile.forEachLine(path) { line, _ in
            seen.append(line)
            if line == "2" { throw Stop() }
        }) { XCTAssertTrue($0 is Stop) }
        XCTAssertEqual(seen, ["1", "2"])
    }

    func testAMissingFileIsASystemCallErrorNamingIt() {
        XCTAssertThrowsError(try HostFile.forEachLine(directory.appendingPathComponent("missing").path) { _, _ in }) { error in
            XCTAssertTrue("\(error)".contains("missing"), "\(error)")
        }
    }
}
