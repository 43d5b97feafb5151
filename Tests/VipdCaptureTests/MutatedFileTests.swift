import Foundation
import PropertyBased
import Testing
import VipdCapture

/// One change to a capture file's bytes. Positions are taken modulo the file's current length
/// (plus one), so any edit applies to any file.
private enum Edit: Sendable, CustomStringConvertible {
    case flipBit(position: Int, bit: Int)
    case setByte(position: Int, value: UInt8)
    /// A 32-bit value written over four bytes, little-endian: lengths, magic numbers, link types.
    case setWord(position: Int, value: UInt32)
    case insert(position: Int, bytes: [UInt8])
    case remove(position: Int, count: Int)
    case truncate(length: Int)

    var description: String {
        switch self {
        case let .flipBit(position, bit): "flip bit \(bit) at \(position)"
        case let .setByte(position, value): "byte \(value) at \(position)"
        case let .setWord(position, value): "word 0x\(String(value, radix: 16)) at \(position)"
        case let .insert(position, bytes): "insert \(bytes.count) bytes at \(position)"
        case let .remove(position, count): "remove \(count) bytes at \(position)"
        case let .truncate(length): "cut to \(length) bytes"
        }
    }

    func apply(to bytes: inout [UInt8]) {
        let end = bytes.count + 1
        switch self {
        case let .flipBit(position, bit):
            guard !bytes.isEmpty else { return }
            bytes[position % bytes.count] ^= 1 << UInt8(bit)
        case let .setByte(position, value):
            guard !bytes.isEmpty else { return }
            bytes[position % bytes.count] = value
        case let .setWord(position, value):
            let start = position % end
            for index in 0..<4 where start + index < bytes.count {
                bytes[start + index] = UInt8(truncatingIfNeeded: value >> (index * 8))
            }
        case let .insert(position, inserted):
            bytes.insert(contentsOf: inserted, at: position % end)
        case let .remove(position, count):
            let start = position % end
            bytes.removeSubrange(start..<min(bytes.count, start + count))
        case let .truncate(length):
            bytes.removeLast(bytes.count - length % end)
        }
    }
}

/// A position, most often inside the file and record headers near the start.
private func position(using rng: inout some RandomNumberGenerator) -> Int {
    Bool.random(using: &rng) ? Int.random(in: 0..<64, using: &rng) : Int.random(in: 0..<10_000, using: &rng)
}

/// 1 to 6 random edits, favouring the values that break length checks.
private let edits = Generator<[Edit], Shrink.None<[Edit]>>(run: { rng in
    let interesting: [UInt32] = [0, 1, 15, 16, 24, 0xFFFF, 0x4_0000, 0x4_0001, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x0A0D_0D0A, 0xA1B2_C3D4]
    return (0..<Int.random(in: 1...6, using: &rng)).map { _ in
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: .flipBit(position: position(using: &rng), bit: Int.random(in: 0..<8, using: &rng))
        case 1: .setByte(position: position(using: &rng), value: UInt8.random(in: 0...255, using: &rng))
        case 2:
            .setWord(
                position: position(using: &rng),
                value: Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt32.random(in: 0...UInt32.max, using: &rng))
        case 3: .insert(position: position(using: &rng), bytes: (0..<Int.random(in: 1...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        case 4: .remove(position: position(using: &rng), count: Int.random(in: 1...40, using: &rng))
        default: .truncate(length: position(using: &rng))
        }
    }
})

/// Damaged copies of valid captures: reading them always ends in packets or a `CaptureError`,
/// never a crash, and the error's byte offset lies inside the file.
@Suite("mutated capture files", .timeLimit(.minutes(1)))
struct MutatedFileTests {
    /// Reads `bytes` from a file at `path` to the end and checks what came out.
    private func readAndCheck(_ bytes: [UInt8], at path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (packets, error) = readCapture(path)
        #expect(packets.count <= bytes.count / 16)
        #expect(packets.allSatisfy { $0.bytes.count <= 262_144 })
        if let error {
            #expect(error.description.hasPrefix("\(path): "))
            if let offset = error.byteOffset {
                #expect(offset >= 0 && offset <= bytes.count, "\(error)")
            }
        }
    }

    @Test func mutatedPcapFilesNeverTrap() async throws {
        let directory = try ScratchDirectory()
        let original = directory.path("original.pcap")
        try writeCapture(samplePackets(count: 8), to: original)
        let base = try [UInt8](Data(contentsOf: URL(fileURLWithPath: original)))
        let path = directory.path("mutant.pcap")
        await propertyCheck(count: 1200, input: edits) { edits in
            var bytes = base
            for edit in edits { edit.apply(to: &bytes) }
            try readAndCheck(bytes, at: path)
        }
    }

    @Test(.enabled(if: editcap != nil, "editcap (wireshark-common) is not installed"))
    func mutatedPcapngFilesNeverTrap() async throws {
        let directory = try ScratchDirectory()
        let original = directory.path("original.pcap")
        try writeCapture(samplePackets(count: 8), to: original)
        try convertToPcapng(original, directory.path("original.pcapng"), editcap: #require(editcap))
        let base = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory.path("original.pcapng"))))
        let path = directory.path("mutant.pcapng")
        await propertyCheck(count: 500, input: edits) { edits in
            var bytes = base
            for edit in edits { edit.apply(to: &bytes) }
            try readAndCheck(bytes, at: path)
        }
    }

    /// Cut at every length, a pcap file reads as the packets that fit, then ends cleanly on a
    /// record boundary or names the first incomplete record's offset.
    @Test func fileCutAnywhereReadsTheCompletePacketsThenNamesTheCut() throws {
        let directory = try ScratchDirectory()
        let packets = samplePackets(count: 12).filter { $0.bytes.count < 400 }
        let original = directory.path("original.pcap")
        try writeCapture(packets, to: original)
        let base = try [UInt8](Data(contentsOf: URL(fileURLWithPath: original)))
        var recordStarts = [24]
        for packet in packets {
            recordStarts.append(recordStarts[recordStarts.count - 1] + 16 + packet.bytes.count)
        }
        #expect(recordStarts.last == base.count)
        let path = directory.path("cut.pcap")
        for length in 24...base.count {
            try Data(base.prefix(length)).write(to: URL(fileURLWithPath: path))
            let (read, error) = readCapture(path)
            let complete = recordStarts.dropFirst().filter { $0 <= length }.count
            #expect(read == Array(packets.prefix(complete)), "cut at \(length)")
            #expect(error?.byteOffset == (recordStarts.contains(length) ? nil : recordStarts[complete]), "cut at \(length)")
        }
    }
}
