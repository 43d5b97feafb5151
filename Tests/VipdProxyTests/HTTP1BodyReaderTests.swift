import Foundation
import NIOCore
import XCTest

@testable import VipdProxy

/// Bodies read by their framing: lengths, chunks forwarded raw or decoded at any split, the
/// chunked grammar's errors and limits, bodies that end with the connection.
final class HTTP1BodyReaderTests: XCTestCase {
    /// A chunked body with extensions and trailers: 31 data bytes.
    private static let chunked = Array(
        "5;ext=1;q=\"a b\"\r\nhello\r\n1A \t;x\r\nabcdefghijklmnopqrstuvwxyz\r\n0;last\r\nX-Trailer: t\r\nY:\r\n\r\n".utf8)
    private static let data = Array("helloabcdefghijklmnopqrstuvwxyz".utf8)

    private struct Outcome: Equatable {
        var bytes: [UInt8] = []
        var payload = 0
        var ended = false
        /// Bytes left in the buffer after the body.
        var left: [UInt8] = []
    }

    /// Feeds `parts` one after the other, reading every piece until the ended one.
    private func feed(
        _ parts: [[UInt8]], framing: HTTP1BodyFraming = .chunked, decoding: Bool = false, maxPayload: Int = .max
    ) throws(HTTP1SyntaxError) -> Outcome {
        var reader = HTTP1BodyReader(framing: framing, decodingChunks: decoding, maxPayload: maxPayload)
        var buffer = ByteBuffer()
        var outcome = Outcome()
        for part in parts {
            buffer.writeBytes(part)
            while !outcome.ended, var piece = try reader.read(from: &buffer) {
                XCTAssertTrue(piece.ended || piece.bytes.readableBytes > 0, "an empty piece that does not end the body")
                outcome.bytes += piece.bytes.readBytes(length: piece.bytes.readableBytes)!
                outcome.payload += piece.payload
                outcome.ended = piece.ended
            }
            XCTAssertEqual(reader.isEnded, outcome.ended)
        }
        outcome.left = buffer.readBytes(length: buffer.readableBytes)!
        return outcome
    }

    private func describe(_ piece: HTTP1BodyReader.Piece) -> String {
        "\(piece.bytes.readableString)|\(piece.payload)|\(piece.ended)"
    }

    private func failure(_ parts: [String], decoding: Bool = false, maxPayload: Int = .max) -> HTTP1SyntaxError.Kind? {
        do {
            _ = try feed(parts.map { Array($0.utf8) }, decoding: decoding, maxPayload: maxPayload)
            return nil
        } catch {
            return error.kind
        }
    }

    func testLengthFramingAcrossBuffers() throws {
        let outcome = try feed([Array("abc".utf8), [], Array("defg".utf8), Array("hijGET".utf8)], framing: .length(10))
        XCTAssertEqual(outcome, Outcome(bytes: Array("abcdefghij".utf8), payload: 10, ended: true, left: Array("GET".utf8)))
        var reader = HTTP1BodyReader(framing: .length(3))
        var buffer = ByteBuffer(string: "ab")
        let piece = try XCTUnwrap(try reader.read(from: &buffer))
        XCTAssertEqual(describe(piece), "ab|2|false")
        XCTAssertNil(try reader.read(from: &buffer))
        XCTAssertFalse(reader.connectionClosed(), "a length body cut short by the close")
    }

    func testChunkedForwardedRawAtEverySplit() throws {
        let body = Self.chunked
        let whole = Outcome(bytes: body, payload: Self.data.count, ended: true, left: Array("NEXT".utf8))
        XCTAssertEqual(try feed([body + Array("NEXT".utf8)]), whole)
        XCTAssertEqual(try feed(body.map { [$0] } + [Array("NEXT".utf8)]), whole, "a byte at a time")
        for first in 0...body.count {
            for second in first...body.count where second == first || (first % 3 == 0 && second % 2 == 0) {
                let parts = [Array(body[..<first]), Array(body[first..<second]), Array(body[second...]) + Array("NEXT".utf8)]
                XCTAssertEqual(try feed(parts), whole, "splits at \(first), \(second)")
            }
        }
    }

    func testDecodedChunksAtEverySplit() throws {
        let body = Self.chunked
        let whole = Outcome(bytes: Self.data, payload: Self.data.count, ended: true, left: Array("NEXT".utf8))
        XCTAssertEqual(try feed([body + Array("NEXT".utf8)], decoding: true), whole)
        XCTAssertEqual(try feed(body.map { [$0] } + [Array("NEXT".utf8)], decoding: true), whole, "a byte at a time")
        for split in 0...body.count {
            let parts = [Array(body[..<split]), Array(body[split...]) + Array("NEXT".utf8)]
            XCTAssertEqual(try feed(parts, decoding: true), whole, "split at \(split)")
        }
        let empty = try feed([Array("0\r\n\r\n".utf8)], decoding: true)
        XCTAssertEqual(empty, Outcome(bytes: [], payload: 0, ended: true, left: []))
    }

    func testDecodingAppliesOnlyToChunkedFraming() throws {
        let outcome = try feed([Array("5\r\nhello".utf8)], framing: .length(8), decoding: true)
        XCTAssertEqual(outcome.bytes, Array("5\r\nhello".utf8))
        XCTAssertTrue(outcome.ended)
    }

    func testBadChunkSizesAreMalformed() {
        for line in ["g", "", "5x", " 5", "-5", "0x5", "5 x", "5;a\u{01}", "5;a\r", "5\t\u{7F}", "0000000000000001"] {
            XCTAssertEqual(failure([line + "\r\n"]), .malformed, line.debugDescription)
        }
        XCTAssertNil(failure(["000000000000005\r\nhello\r\n0\r\n\r\n"]), "15 hex digits are fine")
        XCTAssertNil(failure(["5 ; a=b \r\nhello\r\n0\r\n\r\n"]), "whitespace before the extension")
    }

    func testSixteenHexDigitsThatOverflowAreMalformed() {
        // Refused before they are multiplied out: 16 hex digits may not fit an Int.
        XCTAssertEqual(failure(["FFFFFFFFFFFFFFFF\r\n"]), .malformed)
        XCTAssertEqual(failure(["8000000000000000\r\n"]), .malformed)
    }

    func testMissingCRLFAfterChunkData() {
        for parts in [["5\r\nhelloX\r\n"], ["5\r\nhello\n0\r\n\r\n"], ["5\r\nhello\r", "X"], ["5\r\nhello", "\n\r"]] {
            XCTAssertEqual(failure(parts), .malformed, "\(parts)")
            XCTAssertEqual(failure(parts, decoding: true), .malformed, "\(parts), decoding")
        }
    }

    func testBareLineFeedsAreMalformed() {
        for parts in [["5\nhello\r\n"], ["\n"], ["0\r\nX: a\n\r\n"], ["0\r\n\n"], ["5;e\n"], ["5", "\n"]] {
            XCTAssertEqual(failure(parts), .malformed, "\(parts)")
        }
    }

    func testChunkLineLongerThanTheLimit() {
        let limit = HTTP1BodyReader.maxLineBytes
        let exact = "5;" + String(repeating: "x", count: limit - 2)
        XCTAssertNil(failure([exact + "\r\nhello\r\n0\r\n\r\n"]), "a line of exactly the limit")
        XCTAssertEqual(failure([exact + "x\r\nhello\r\n0\r\n\r\n"]), .malformed)
        XCTAssertEqual(failure([exact + "xx"]), .malformed, "too long before its end arrives")
        XCTAssertNil(failure([exact]), "incomplete, within the limit")
        XCTAssertNil(failure([exact + "\r", "\nhello\r\n0\r\n\r\n"]), "a line of exactly the limit split before its LF")
        XCTAssertEqual(failure(["0\r\nX: " + String(repeating: "v", count: limit) + "\r\n\r\n"]), .malformed, "a long trailer line")
    }

    func testTrailerSectionLimitAndGrammar() {
        let line = "X: " + String(repeating: "v", count: 2000) + "\r\n"
        XCTAssertNil(failure(["0\r\n" + line + line + "\r\n"]))
        XCTAssertEqual(failure(["0\r\n" + line + line + line + "\r\n"]), .malformed, "trailer section too long")
        for field in ["bad line", ": v", " folded: v", "X : v", "X: a\u{01}", "X: \u{7F}", "X"] {
            XCTAssertEqual(failure(["0\r\n" + field + "\r\n\r\n"]), .malformed, field.debugDescription)
            XCTAssertEqual(failure(["0\r\n" + field + "\r\n\r\n"], decoding: true), .malformed, field.debugDescription)
        }
    }

    func testDeclaredChunkSizesBeyondTheLimitAreTooLarge() {
        XCTAssertNil(failure(["5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n"], maxPayload: 10))
        XCTAssertEqual(failure(["5\r\nhello\r\n6\r\n"], maxPayload: 10), .bodyTooLarge, "refused at the size, before the data")
        XCTAssertEqual(failure(["b\r\n"], maxPayload: 10), .bodyTooLarge)
        XCTAssertEqual(failure(["FFFFFFFFFFFFFFF\r\n"], decoding: true, maxPayload: 1 << 40), .bodyTooLarge)
    }

    func testUntilCloseReadsEverythingUntilTheConnectionCloses() throws {
        var reader = HTTP1BodyReader(framing: .untilClose)
        XCTAssertTrue(reader.endsWithConnection)
        var buffer = ByteBuffer()
        XCTAssertNil(try reader.read(from: &buffer))
        for text in ["abc", "0\r\n\r\n", "GET / HTTP/1.1\r\n"] {
            buffer.writeString(text)
            let piece = try XCTUnwrap(try reader.read(from: &buffer))
            XCTAssertEqual(describe(piece), "\(text)|\(text.utf8.count)|false")
            XCTAssertEqual(buffer.readableBytes, 0)
        }
        XCTAssertTrue(reader.connectionClosed())
        XCTAssertTrue(reader.isEnded)
        XCTAssertFalse(reader.endsWithConnection)
    }

    func testNoBodyYieldsOneEmptyEndedPiece() throws {
        var reader = HTTP1BodyReader(framing: .none)
        XCTAssertTrue(reader.isEnded)
        var buffer = ByteBuffer(string: "GET / HTTP/1.1\r\n")
        let piece = try XCTUnwrap(try reader.read(from: &buffer))
        XCTAssertEqual(describe(piece), "|0|true")
        XCTAssertEqual(buffer.readableString, "GET / HTTP/1.1\r\n", "the next request stays")
        XCTAssertTrue(reader.connectionClosed(), "a body that already ended")
    }

    func testNothingIsReadAfterTheEnd() throws {
        for decoding in [false, true] {
            var reader = HTTP1BodyReader(framing: .chunked, decodingChunks: decoding)
            var buffer = ByteBuffer(string: "0\r\n\r\n0\r\n\r\n")
            while let piece = try reader.read(from: &buffer), !piece.ended {}
            XCTAssertEqual(buffer.readableString, "0\r\n\r\n")
            let again = try XCTUnwrap(try reader.read(from: &buffer))
            XCTAssertEqual(again.bytes.readableBytes, 0)
            XCTAssertEqual(buffer.readableString, "0\r\n\r\n")
        }
    }
}

extension ByteBuffer {
    fileprivate var readableString: String { getString(at: readerIndex, length: readableBytes) ?? "" }
}
