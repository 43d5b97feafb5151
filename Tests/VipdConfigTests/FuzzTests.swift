import VipdConfig
import XCTest

/// Random mutations of a valid config must give a configuration or errors, never a crash.
final class FuzzTests: XCTestCase {
    /// SplitMix64: small, seeded, the same sequence on every run.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let fragments: [String] = [
        ":", " ", "\n", "  ", "-", "{", "}", "[", "]", ",", "'", "\"", "#", "&a", "*a", "!", "|", ">", "?", "~",
        "0", "65536", "-1", "nodes:", "pool", "bind", "kind", "ssh", "[::]", "1h", "0s", "\t", "é", "\u{85}", "\r\n",
    ]

    func testRandomMutationsNeverCrash() {
        var generator = SeededGenerator(state: 20_260_521)
        let original = Array(FullExampleTests.example.unicodeScalars)
        var outcomes = (parsed: 0, failed: 0)
        for _ in 0..<3000 {
            var text = original
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let position = Int.random(in: 0...text.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0 where position < text.count:
                    text.remove(at: position)
                case 1:
                    let fragment = Self.fragments.randomElement(using: &generator)!
                    text.insert(contentsOf: fragment.unicodeScalars, at: position)
                case 2:
                    let end = min(text.count, position + Int.random(in: 1...40, using: &generator))
                    let slice = text[position..<end]
                    text.insert(contentsOf: slice, at: Int.random(in: 0...text.count, using: &generator))
                default:
                    let end = min(text.count, position + Int.random(in: 1...20, using: &generator))
                    text.removeSubrange(position..<end)
                }
            }
            do {
                _ = try ConfigLoader.parse(yaml: String(String.UnicodeScalarView(text)), file: "fuzz.yaml")
                outcomes.parsed += 1
            } catch {
                XCTAssertFalse(error.errors.isEmpty)
                outcomes.failed += 1
            }
        }
        XCTAssertGreaterThan(outcomes.failed, 0)
    }
}
