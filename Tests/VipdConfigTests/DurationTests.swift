import VipdConfig
import XCTest

final class DurationTests: XCTestCase {
    func testDurationErrorsInTheConfigNameTheKey() {
        let yaml = minimalConfig("global: { drain_timeout: 2x }")
        assertSingleError(
            yaml, line: 7, column: 26, keyPath: "global.drain_timeout",
            message: #"invalid duration "2x" (use e.g. 500ms, 2s, 1m, 1h)"#)
        assertSingleError(
            minimalConfig("global: { drain_timeout: 30 }"), line: 7, column: 26, keyPath: "global.drain_timeout",
            message: #"duration "30" needs a unit, e.g. "30s" or "30ms" (units: ms, s, m, h, d)"#)
        assertSingleError(
            minimalConfig("global: { drain_timeout: 0s }"), line: 7, column: 26, keyPath: "global.drain_timeout",
            message: "duration must be greater than zero")
    }

    func testSessionDrainLimitMayBeZeroToResetSessionsAtOnce() {
        XCTAssertEqual(parseValid(minimalConfig("global: { session_drain_limit: 0s }"))?.global.sessionDrainLimit, .zero)
        XCTAssertEqual(parseValid(minimalConfig("global: { session_drain_limit: 8h }"))?.global.sessionDrainLimit, .seconds(8 * 3600))
        assertSingleError(
            minimalConfig("global: { session_drain_limit: soon }"), line: 7, column: 32, keyPath: "global.session_drain_limit",
            message: #"invalid duration "soon" (use e.g. 500ms, 2s, 1m, 1h)"#)
    }

    func testABareNumberKeepsTheMeaningItHasInTheToolTheKeyComesFrom() {
        // haproxy's `inter 2000` is two seconds: the hint must not turn it into 2000 seconds.
        let check = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p:
                servers: [{ address: 127.0.0.1:8080 }]
                check: { interval: 2000 }
            """
        assertSingleError(
            check, line: 5, column: 24, keyPath: "pools.p.check.interval",
            message: #"duration "2000" needs a unit: haproxy reads 2000 as milliseconds, which is "2000ms" here (units: ms, s, m, h, d)"#
        )
        assertSingleError(
            """
            listeners: { a: { bind: 127.0.0.1:80, pool: p, idle_timeout: 3600000 } }
            pools: { p: { servers: [{ address: 127.0.0.1:8080 }] } }
            """,
            line: 1, column: 62, keyPath: "listeners.a.idle_timeout",
            message: #"duration "3600000" needs a unit: haproxy reads 3600000 as milliseconds, which is "3600000ms" here (units: ms, s, m, h, d)"#
        )
        // keepalived's `advert_int 1` is one second.
        assertSingleError(
            minimalConfig(
                """
                cluster: { nodes: { ha0: { address: 127.0.0.1 } } }
                vrrp:
                  VI_1: { interface: lo, router_id: 51, advert_interval: 1, virtual_addresses: [10.0.0.1/24] }
                """),
            line: 9, column: 58, keyPath: "vrrp.VI_1.advert_interval",
            message: #"duration "1" needs a unit: keepalived reads 1 as seconds, which is "1s" here (units: ms, s, m, h, d)"#)
    }

    func testTimeoutLongerThanIntervalIsAllowed() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p:
                servers: [{ address: 127.0.0.1:8080 }]
                check: { interval: 1s, timeout: 5s }
            """
        XCTAssertEqual(parseValid(yaml)?.pools.first?.check.timeout, .seconds(5))
    }
}
