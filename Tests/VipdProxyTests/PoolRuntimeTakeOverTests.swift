import VipdBalance
import VipdConfig
import VipdCore
import XCTest

@testable import VipdProxy

/// A reload that changes a pool builds a new runtime; what `vipd ctl` set must survive it, by server name.
final class PoolRuntimeTakeOverTests: XCTestCase {
    private func server(_ name: String, port: Int, weight: Int = 1) -> ServerConfig {
        ServerConfig(name: name, endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: port), weight: weight)
    }

    private func runtime(_ servers: [ServerConfig]) -> PoolRuntime {
        PoolRuntime(config: PoolConfig(name: "web", servers: servers), traffic: TrafficCounters())
    }

    func testAdminStatesAndUnchangedWeightsFollowTheServerName() {
        let before = runtime([server("a", port: 1), server("b", port: 2, weight: 4), server("c", port: 3, weight: 2)])
        before.setAdminState(0, .drain)
        before.setAdminState(2, .maint)
        before.setWeight(1, 9)
        before.setWeight(2, 7)

        // Reordered, "c" reweighted in the file, "a" gone, "d" new.
        let after = runtime([server("c", port: 3, weight: 5), server("d", port: 4), server("b", port: 2, weight: 4)])
        XCTAssertEqual(after.takeOverOperatorSettings(from: before), ["c", "b"])
        XCTAssertEqual(after.adminStates, [.maint, .ready, .ready])
        XCTAssertEqual(after.weights, [5, 1, 9], "a new configured weight wins; an unchanged one keeps the runtime weight")
    }

    func testNothingToTakeOver() {
        let before = runtime([server("a", port: 1)])
        let after = runtime([server("a", port: 1), server("b", port: 2)])
        XCTAssertEqual(after.takeOverOperatorSettings(from: before), [])
        XCTAssertEqual(after.adminStates, [.ready, .ready])
    }
}
