import NIOCore
import VipdConfig
import XCTest

@testable import VipdProxy

/// Random, generated and mutated messages through the head parser and the chunked body reader,
/// fed in random splits: an outcome for each, never a trap, and a split never changes a valid parse.
/// Seeded, so every run sees the same inputs.
final class HTTP1ParserFuzzTests: XCTestCase {
    /// xorshift64*: small, deterministic.
    private struct XorShift: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 0x2545_F491_4F6C_DD1D
        }
        mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }
        mutating func chance(_ percent: Int) -> Bool { int(1...100) <= percent }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0...items.count - 1)] }
        mutating func bytes(_ counts: ClosedRange<Int>, from alphabet: [UInt8]) -> [UInt8] {
            (0..<int(counts)).map { _ in pick(alphabet) }
        }
    }

    private enum Outcome: Equatable {
        case head(Parsed, rest: [UInt8])
        case incomplete
        case failed(HTTP1SyntaxError.Kind)
        /// A head whose ranges break the parser's own invariants.
        case broken(String)
    }

    private static let iterations = 3000
    private static let httpish = Array("\r\n\r\n:  \t/.-;,HTTP/1.1 GET 200 chunked Content-Length: 0123456789abcdef".utf8)
    private static let tchars = Array("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    private static let visible = (0x21...0x7E).map(UInt8.init)
    private static let valueBytes = visible + [0x20, 0x09, 0x80, 0xC3, 0xA9, 0xFF]
    private static let names = [
        "Host", "content-length", "Transfer-Encoding", "CONNECTION", "Keep-Alive", "TE", "Trailer", "Upgrade",
        "X-Forwarded-For", "x-forwarded-proto", "Forwarded", "Proxy-Connection", "Accept",
    ]
    private static let seeds = [
        "GET /a?b HTTP/1.1\r\nHost: vip\r\nConnection: keep-alive, X-A\r\nX-A: 1\r\n\r\n",
        "POST /up HTTP/1.1\r\nHost: v\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: 1\r\n\r\n",
        "PUT / HTTP/1.0\r\nContent-Length: 3\r\nX-Forwarded-For: 10.0.0.1\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\nServer: s\r\n\r\nhello",
        "HTTP/1.0 204\r\nConnection: close\r\nKeep-Alive: 3\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nTrailer: T\r\n\r\n1\r\na\r\n0\r\n\r\n",
    ].map { Array($0.utf8) }

    /// Sorted split points in `0...count`.
    private static func splits(_ count: Int, _ rng: inout XorShift) -> [Int] {
        (0..<rng.int(0...4)).map { _ in rng.int(0...count) }.sorted()
    }

    /// What a parse found, to compare parses of one message.
    private struct Parsed: Equatable {
        var bytes: [UInt8]
        var startLine: Range<Int>
        var names: [HTTP1FieldName]
        var ranges: [[Range<Int>]]

        init(_ head: HTTP1Head) {
            bytes = Array(head.bytes.readableBytesView)
            startLine = head.startLine
            names = head.fields.map(\.name)
            ranges = head.fields.map { [$0.nameRange, $0.valueRange, $0.lineRange] }
        }
    }

    /// Runs everything built on `head` (nothing may trap); what is wrong with its ranges, if anything.
    private static func exercise(_ head: HTTP1Head) -> String? {
        let raw = Array(head.bytes.readableBytesView)
        var next = head.startLine.upperBound + 2
        for field in head.fields {
            guard field.lineRange.lowerBound == next, field.nameRange.lowerBound == next,
                field.valueRange.lowerBound > field.nameRange.upperBound,
                field.valueRange.upperBound <= field.lineRange.upperBound - 2
            else { return "field ranges out of place" }
            next = field.lineRange.upperBound
        }
        guard raw.suffix(4) == [13, 10, 13, 10], next == raw.count - 2 else { return "head does not end with an empty line" }
        _ = head.fields.filter(head.isEndToEnd)
        let settings = HTTPListenerSettings(forwardedFor: true, forwardedProto: true, forwarded: true)
        var out = ByteBuffer()
        if let request = try? HTTP1RequestHead(head) {
            _ = (request.method, request.uri, request.isKeepAlive)
            _ = HTTPRequestValidation.framing(of: request, maxBodyBytes: 1000)
            HTTPForwardedHeaders.writeRequest(request, clientAddress: "2001:db8::1", settings: settings, into: &out)
        }
        for toHead in [false, true] {
            if let response = try? HTTP1ResponseHead(head, requestMethodIsHead: toHead) {
                _ = response.isInterim
                HTTPForwardedHeaders.writeResponse(response, clientMinorVersion: 0, keepAlive: true, decodingChunks: true, into: &out)
            }
        }
        return nil
    }

    /// Feeds `bytes` cut at `splits` to one parser.
    private static func parse(_ bytes: [UInt8], splits: [Int], maxBytes: Int = 4096, maxFields: Int = 32) -> Outcome {
        var parser = HTTP1HeadParser(maxBytes: maxBytes, maxFields: maxFields)
        var buffer = ByteBuffer()
        var start = 0
        for end in splits + [bytes.count] {
            buffer.writeBytes(bytes[start..<end])
            start = end
            do {
                if let head = try parser.take(from: &buffer) {
                    if let broken = exercise(head) { return .broken(broken) }
                    return .head(Parsed(head), rest: Array(buffer.readableBytesView) + bytes[start...])
                }
            } catch {
                return .failed(error.kind)
            }
        }
        return .incomplete
    }

    /// A valid request or response head, sometimes after empty lines, followed by a few body bytes.
    private static func validMessage(_ rng: inout XorShift) -> [UInt8] {
        var text = Array(String(repeating: "\r\n", count: rng.int(0...2)).utf8)
        if rng.chance(50) {
            text += rng.bytes(1...8, from: tchars) + [0x20] + rng.bytes(1...20, from: visible)
            text += Array(" HTTP/1.\(rng.int(0...1))\r\n".utf8)
        } else {
            text += Array("HTTP/1.\(rng.int(0...1)) \(rng.int(100...599))".utf8)
            if rng.chance(70) { text += [0x20] + rng.bytes(0...12, from: valueBytes) }
            text += [13, 10]
        }
        for _ in 0..<rng.int(0...8) {
            text += rng.chance(50) ? Array(rng.pick(names).utf8) : rng.bytes(1...12, from: tchars)
            text += [UInt8(ascii: ":")] + rng.bytes(0...24, from: valueBytes) + [13, 10]
        }
        return text + [13, 10] + rng.bytes(0...6, from: httpish)
    }

    private static func mutate(_ input: [UInt8], _ rng: inout XorShift) -> [UInt8] {
        var bytes = input
        for _ in 0..<rng.int(1...3) {
            let position = rng.int(0...bytes.count)
            let byte = rng.chance(50) ? rng.pick(httpish) : UInt8(rng.int(0...255))
            switch rng.int(0...3) {
            case 0 where position < bytes.count: bytes[position] = byte
            case 1 where position < bytes.count: bytes.remove(at: position)
            case 2: bytes.insert(byte, at: position)
            default: bytes.insert(contentsOf: bytes[position...].prefix(rng.int(1...8)), at: position)
            }
        }
        return bytes
    }

    func testRandomBytesIntoTheHeadParser() {
        var rng = XorShift(state: 0x9E37_79B9_7F4A_7C15)
        var broken: [String] = []
        for _ in 0..<Self.iterations {
            let alphabet = rng.chance(50) ? Self.httpish : (0...255).map(UInt8.init)
            let bytes = rng.bytes(0...160, from: alphabet)
            let splits = Self.splits(bytes.count, &rng)
            let outcome = Self.parse(bytes, splits: splits, maxBytes: rng.int(1...200), maxFields: rng.int(0...6))
            if case .broken(let why) = outcome { broken.append("\(why): \(Self.show(bytes)) split at \(splits)") }
        }
        XCTAssertEqual(broken.count, 0, "first: \(broken.first ?? "")")
    }

    private static func show(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self).debugDescription }

    func testMutatedMessagesIntoTheHeadParser() {
        var rng = XorShift(state: 0xD1B5_4A32_D192_ED03)
        var heads = 0
        var broken: [String] = []
        for iteration in 0..<Self.iterations {
            let seed = iteration % 2 == 0 ? rng.pick(Self.seeds) : Self.validMessage(&rng)
            let bytes = Self.mutate(seed, &rng)
            let splits = Self.splits(bytes.count, &rng)
            switch Self.parse(bytes, splits: splits) {
            case .head: heads += 1
            case .broken(let why): broken.append("\(why): \(Self.show(bytes)) split at \(splits)")
            case .incomplete, .failed: break
            }
        }
        XCTAssertEqual(broken.count, 0, "first: \(broken.first ?? "")")
        XCTAssertGreaterThan(heads, Self.iterations / 10, "mutations should leave many heads valid")
    }

    func testSplitsNeverChangeAValidParse() {
        var rng = XorShift(state: 0x2545_F491_4F6C_DD1D)
        var mismatches = 0
        var first: String?
        for iteration in 0..<Self.iterations {
            let bytes = iteration < Self.seeds.count ? Self.seeds[iteration] : Self.validMessage(&rng)
            let whole = Self.parse(bytes, splits: [])
            guard case .head = whole else {
                XCTFail("generated message refused: \(Self.show(bytes)) -> \(whole)")
                continue
            }
            let splits = Self.splits(bytes.count, &rng)
            let split = Self.parse(bytes, splits: splits)
            if split != whole {
                mismatches += 1
                first = first ?? "\(Self.show(bytes)) split at \(splits): \(split)"
            }
        }
        XCTAssertEqual(mismatches, 0, "first: \(first ?? "")")
    }

    /// A valid chunked body (with extensions and trailers) and its data.
    private static func chunkedBody(_ rng: inout XorShift) -> (body: [UInt8], data: [UInt8]) {
        var body: [UInt8] = []
        var data: [UInt8] = []
        let extensions = [";a=b", " ;x", ";q=\"s p\"", "\t; n = v", ""]
        for last in (0..<rng.int(0...5)).map({ _ in false }) + [true] {
            let size = last ? 0 : rng.int(1...40)
            let hex = String(size, radix: 16, uppercase: rng.chance(50))
            body += Array((String(repeating: "0", count: rng.int(0...3)) + hex + rng.pick(extensions) + "\r\n").utf8)
            guard !last else { break }
            let chunk = (0..<size).map { _ in UInt8(rng.int(0...255)) }
            body += chunk + [13, 10]
            data += chunk
        }
        for _ in 0..<rng.int(0...2) { body += rng.bytes(1...6, from: tchars) + Array(": t\r\n".utf8) }
        return (body + [13, 10], data)
    }

    /// Feeds `parts` to a chunked reader until its body ends; nil when refused.
    private static func readChunked(_ bytes: [UInt8], splits: [Int], decoding: Bool) -> (out: [UInt8], payload: Int, ended: Bool, left: Int)? {
        var reader = HTTP1BodyReader(framing: .chunked, decodingChunks: decoding, maxPayload: 1 << 20)
        var buffer = ByteBuffer()
        var result: (out: [UInt8], payload: Int, ended: Bool, left: Int) = ([], 0, false, 0)
        var start = 0
        do {
            for end in splits + [bytes.count] where !result.ended {
                buffer.writeBytes(bytes[start..<end])
                start = end
                while !result.ended, let piece = try reader.read(from: &buffer) {
                    result.out += Array(piece.bytes.readableBytesView)
                    result.payload += piece.payload
                    result.ended = piece.ended
                }
            }
        } catch {
            return nil
        }
        result.left = buffer.readableBytes + bytes.count - start
        return result
    }

    func testValidChunkedBodiesAtRandomSplits() {
        var rng = XorShift(state: 0xBF58_476D_1CE4_E5B9)
        for _ in 0..<Self.iterations {
            let (body, data) = Self.chunkedBody(&rng)
            let bytes = body + Array("NEXT".utf8)
            let raw = Self.readChunked(bytes, splits: Self.splits(bytes.count, &rng), decoding: false)
            XCTAssertTrue(raw?.out == body && raw?.payload == data.count && raw?.ended == true && raw?.left == 4, "\(body)")
            let decoded = Self.readChunked(bytes, splits: Self.splits(bytes.count, &rng), decoding: true)
            XCTAssertTrue(decoded?.out == data && decoded?.payload == data.count && decoded?.ended == true && decoded?.left == 4, "\(body)")
        }
    }

    func testRandomAndMutatedChunkedBodiesNeverTrap() {
        var rng = XorShift(state: 0x94D0_49BB_1331_11EB)
        for iteration in 0..<Self.iterations {
            let bytes =
                iteration % 3 == 0
                ? (0..<rng.int(0...120)).map { _ in UInt8(rng.int(0...255)) } : Self.mutate(Self.chunkedBody(&rng).body, &rng)
            for decoding in [false, true] {
                if let raw = Self.readChunked(bytes, splits: Self.splits(bytes.count, &rng), decoding: decoding), !decoding {
                    XCTAssertEqual(Array(bytes.prefix(raw.out.count)), raw.out, "raw output is the input as it came")
                }
            }
        }
    }
}
