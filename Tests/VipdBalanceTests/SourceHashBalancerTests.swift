import XCTest
@testable import VipdBalance

final class SourceHashBalancerTests: XCTestCase {
    private struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
    }

    private func randomKeys(_ count: Int) -> [[UInt8]] {
        var generator = SeededGenerator(state: 42)
        return (0..<count).map { _ in (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) } }
    }

    private let four = (0..<4).map { BalancerCandidate(index: $0) }

    func testSameKeySameServer() {
        var balancer = SourceHashBalancer()
        for key in randomKeys(100) {
            let first = balancer.choose(from: four, clientKey: key)
            for _ in 0..<20 { XCTAssertEqual(balancer.choose(from: four, clientKey: key), first) }
            var other = SourceHashBalancer()
            XCTAssertEqual(other.choose(from: four.reversed(), clientKey: key), first, "order of candidates must not matter")
        }
    }

    func testProcessIndependentHash() {
        // Fixed values: a change here moves every client of every running pool after an upgrade.
        XCTAssertEqual(SourceHashBalancer.hash(clientKey: [192, 168, 2, 10], serverIndex: 0),
                       SourceHashBalancer.hash(clientKey: [192, 168, 2, 10], serverIndex: 0))
        var balancer = SourceHashBalancer()
        let chosen = [[10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 3], [192, 168, 2, 10]].map {
            balancer.choose(from: four, clientKey: $0)!
        }
        XCTAssertEqual(chosen, Self.recordedChoices)
    }

    /// Recorded once; must stay the same across runs, processes and releases.
    static let recordedChoices = [3, 2, 0, 2]

    func testRemovingOneServerMovesOnlyItsKeys() {
        var balancer = SourceHashBalancer()
        let keys = randomKeys(10_000)
        let before = keys.map { balancer.choose(from: four, clientKey: $0)! }
        let withoutTwo = four.filter { $0.index != 2 }
        let after = keys.map { balancer.choose(from: withoutTwo, clientKey: $0)! }
        var moved = 0
        for (b, a) in zip(before, after) {
            if b == 2 { moved += 1; XCTAssertNotEqual(a, 2) } else { XCTAssertEqual(a, b) }
        }
        XCTAssertEqual(Double(moved), 2500, accuracy: 250)
        // And they come back when it returns.
        XCTAssertEqual(keys.map { balancer.choose(from: four, clientKey: $0)! }, before)
    }

    func testDistributionFollowsWeights() {
        var balancer = SourceHashBalancer()
        let candidates = [
            BalancerCandidate(index: 0, weight: 1), BalancerCandidate(index: 1, weight: 2),
            BalancerCandidate(index: 2, weight: 3), BalancerCandidate(index: 3, weight: 4),
        ]
        let keys = randomKeys(10_000)
        var counts = [0, 0, 0, 0]
        for key in keys { counts[balancer.choose(from: candidates, clientKey: key)!] += 1 }
        for (i, expected) in [1000.0, 2000.0, 3000.0, 4000.0].enumerated() {
            XCTAssertEqual(Double(counts[i]), expected, accuracy: expected * 0.1, "server \(i): \(counts)")
        }
    }

    func testIPv6KeysSpread() {
        var balancer = SourceHashBalancer()
        var counts = [0, 0]
        for key in randomKeys(2000) {
            let v6 = [0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 8) + key
            counts[balancer.choose(from: Array(four.prefix(2)), clientKey: v6)!] += 1
        }
        XCTAssertEqual(Double(counts[0]), 1000, accuracy: 150)
    }

    func testEmptyAndWeightZero() {
        var balancer = SourceHashBalancer()
        XCTAssertNil(balancer.choose(from: [], clientKey: [1, 2, 3, 4]))
        let mixed = [BalancerCandidate(index: 0, weight: 0), BalancerCandidate(index: 1, weight: 1)]
        for key in randomKeys(100) { XCTAssertEqual(balancer.choose(from: mixed, clientKey: key), 1) }
        let allZero = [BalancerCandidate(index: 0, weight: 0), BalancerCandidate(index: 1, weight: 0)]
        let chosen = Set(randomKeys(100).map { balancer.choose(from: allZero, clientKey: $0)! })
        XCTAssertEqual(chosen, [0, 1])
    }
}
