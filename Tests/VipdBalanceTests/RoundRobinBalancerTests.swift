import XCTest
@testable import VipdBalance

final class RoundRobinBalancerTests: XCTestCase {
    private func picks(_ balancer: inout some LoadBalancer, _ candidates: [BalancerCandidate], count: Int) -> [Int] {
        (0..<count).map { _ in balancer.choose(from: candidates, clientKey: [])! }
    }

    func testDistributionMatchesWeightsExactly() {
        var balancer = RoundRobinBalancer()
        let candidates = [
            BalancerCandidate(index: 0, weight: 1), BalancerCandidate(index: 1, weight: 2),
            BalancerCandidate(index: 2, weight: 3),
        ]
        // 1002 = 167 rounds of 6: exact shares.
        let chosen = picks(&balancer, candidates, count: 1002)
        XCTAssertEqual(chosen.filter { $0 == 0 }.count, 167)
        XCTAssertEqual(chosen.filter { $0 == 1 }.count, 334)
        XCTAssertEqual(chosen.filter { $0 == 2 }.count, 501)
        // Every window of one round (6 picks) holds exactly the weights.
        for start in stride(from: 0, to: 996, by: 6) {
            let window = chosen[start..<start + 6]
            XCTAssertEqual(window.filter { $0 == 0 }.count, 1)
            XCTAssertEqual(window.filter { $0 == 1 }.count, 2)
            XCTAssertEqual(window.filter { $0 == 2 }.count, 3)
        }
    }

    func testEqualWeightsAlternate() {
        var balancer = RoundRobinBalancer()
        let candidates = [BalancerCandidate(index: 0), BalancerCandidate(index: 1), BalancerCandidate(index: 2)]
        XCTAssertEqual(picks(&balancer, candidates, count: 7), [0, 1, 2, 0, 1, 2, 0])
    }

    func testSmoothNoBursts() {
        var balancer = RoundRobinBalancer()
        let candidates = [
            BalancerCandidate(index: 0, weight: 5), BalancerCandidate(index: 1, weight: 1),
            BalancerCandidate(index: 2, weight: 1),
        ]
        let chosen = picks(&balancer, candidates, count: 700)
        XCTAssertEqual(Array(chosen.prefix(7)), [0, 0, 1, 0, 2, 0, 0])
        var longestRun = 0
        var run = 0
        for (i, server) in chosen.enumerated() {
            run = (i > 0 && chosen[i - 1] == server) ? run + 1 : 1
            longestRun = max(longestRun, run)
        }
        XCTAssertLessThan(longestRun, 5, "weight-5 server must not be picked 5 times in a row")
        XCTAssertEqual(chosen.filter { $0 == 0 }.count, 500)
    }

    func testStateKeyedByIndexSurvivesChangingCandidates() {
        var balancer = RoundRobinBalancer()
        let all = [BalancerCandidate(index: 3), BalancerCandidate(index: 7), BalancerCandidate(index: 9)]
        XCTAssertEqual(balancer.choose(from: all, clientKey: []), 3)
        // Retrying the same connection without server 3: the next in turn, 7.
        XCTAssertEqual(balancer.choose(from: Array(all.dropFirst()), clientKey: []), 7)
        // Back to the full set: rotation continues, every server still gets its share.
        let chosen = picks(&balancer, all, count: 300)
        for index in [3, 7, 9] {
            XCTAssertEqual(Double(chosen.filter { $0 == index }.count), 100, accuracy: 2)
        }
    }

    func testEmptyGivesNil() {
        var balancer = RoundRobinBalancer()
        XCTAssertNil(balancer.choose(from: [], clientKey: []))
    }

    func testWeightZeroOnlyWhenAllZero() {
        var balancer = RoundRobinBalancer()
        let mixed = [BalancerCandidate(index: 0, weight: 0), BalancerCandidate(index: 1, weight: 1)]
        XCTAssertEqual(Set(picks(&balancer, mixed, count: 50)), [1])
        let allZero = [BalancerCandidate(index: 0, weight: 0), BalancerCandidate(index: 1, weight: 0)]
        let chosen = picks(&balancer, allZero, count: 50)
        XCTAssertEqual(chosen.filter { $0 == 0 }.count, 25)
        XCTAssertEqual(chosen.filter { $0 == 1 }.count, 25)
    }

    func testMakeBalancer() {
        XCTAssertTrue(makeBalancer(.roundrobin) is RoundRobinBalancer)
        XCTAssertTrue(makeBalancer(.leastconn) is LeastConnectionsBalancer)
        XCTAssertTrue(makeBalancer(.source) is SourceHashBalancer)
        XCTAssertEqual(BalancingAlgorithm(rawValue: "leastconn"), .leastconn)
        var existential = makeBalancer(.roundrobin)
        let candidates = [BalancerCandidate(index: 0), BalancerCandidate(index: 1)]
        XCTAssertEqual(existential.choose(from: candidates, clientKey: []), 0)
        XCTAssertEqual(existential.choose(from: candidates, clientKey: []), 1)
    }
}
