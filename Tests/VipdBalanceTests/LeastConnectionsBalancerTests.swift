import XCTest
@testable import VipdBalance

final class LeastConnectionsBalancerTests: XCTestCase {
    func testPicksLeastLoaded() {
        var balancer = LeastConnectionsBalancer()
        let candidates = [
            BalancerCandidate(index: 0, weight: 1, activeConnections: 5),
            BalancerCandidate(index: 1, weight: 1, activeConnections: 2),
            BalancerCandidate(index: 2, weight: 1, activeConnections: 9),
        ]
        for _ in 0..<10 { XCTAssertEqual(balancer.choose(from: candidates, clientKey: []), 1) }
    }

    func testLoadIsPerWeight() {
        var balancer = LeastConnectionsBalancer()
        // (4+1)/4 = 1.25 < (1+1)/1 = 2: the heavy server despite more connections.
        let candidates = [
            BalancerCandidate(index: 0, weight: 1, activeConnections: 1),
            BalancerCandidate(index: 1, weight: 4, activeConnections: 4),
        ]
        XCTAssertEqual(balancer.choose(from: candidates, clientKey: []), 1)
    }

    func testTiesRotate() {
        var balancer = LeastConnectionsBalancer()
        let idle = [BalancerCandidate(index: 0), BalancerCandidate(index: 2), BalancerCandidate(index: 5)]
        let chosen = (0..<6).map { _ in balancer.choose(from: idle, clientKey: [])! }
        XCTAssertEqual(chosen, [0, 2, 5, 0, 2, 5])
    }

    func testSimulatedLoadSpreadsEvenly() {
        var balancer = LeastConnectionsBalancer()
        var connections = [0, 0, 0]
        for _ in 0..<30 {
            let candidates = connections.indices.map { BalancerCandidate(index: $0, activeConnections: connections[$0]) }
            connections[balancer.choose(from: candidates, clientKey: [])!] += 1
        }
        XCTAssertEqual(connections, [10, 10, 10])
    }

    func testEmptyAndWeightZero() {
        var balancer = LeastConnectionsBalancer()
        XCTAssertNil(balancer.choose(from: [], clientKey: []))
        let mixed = [
            BalancerCandidate(index: 0, weight: 0, activeConnections: 0),
            BalancerCandidate(index: 1, weight: 1, activeConnections: 100),
        ]
        XCTAssertEqual(balancer.choose(from: mixed, clientKey: []), 1)
        let allZero = [
            BalancerCandidate(index: 0, weight: 0, activeConnections: 3),
            BalancerCandidate(index: 1, weight: 0, activeConnections: 1),
        ]
        XCTAssertEqual(balancer.choose(from: allZero, clientKey: []), 1)
    }
}
