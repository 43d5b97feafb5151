import VipdConfig
import XCTest

/// `vipd check` runs as the unit's ExecStartPre: a pool of tens of thousands of servers must be read
/// in time proportional to its size.
final class LargePoolTests: XCTestCase {
    func testAPoolOfFortyThousandServersIsReadInLinearTime() throws {
        let count = 40_000
        var yaml = "listeners:\n  web: { bind: 127.0.0.1:8080, pool: p }\npools:\n  p:\n    servers:\n"
        for index in 0..<count {
            yaml += "      - { name: s\(index), address: 10.\(index >> 16 & 255).\(index >> 8 & 255).\(index & 255):8080 }\n"
        }
        // About 2 s in a debug build; reading the servers in quadratic time took over 8 minutes.
        // The bound is far above the expected time, so a loaded machine does not fail it.
        let start = ContinuousClock.now
        let config = try ConfigLoader.parse(yaml: yaml, file: "vipd.yaml")
        let elapsed = ContinuousClock.now - start
        XCTAssertEqual(config.pools.first?.servers.count, count)
        XCTAssertLessThan(elapsed, .seconds(60), "reading \(count) servers took \(elapsed)")
    }
}
