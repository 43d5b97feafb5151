import VipdConfig
import XCTest

final class ConfigWarningTests: XCTestCase {
    private func config(track: String) -> String {
        """
        cluster:
          nodes:
            ha0: { address: 10.0.0.10, priority: 100 }
            ha1: { address: 10.0.0.11, priority: 90 }
        track_scripts:
          chk: { command: "kill -0 $(cat /run/haproxy.pid)" }
        vrrp:
          VI_1:
            interface: eth0
            router_id: 51
            virtual_addresses: [10.0.0.1/24]
            track: { \(track) }
        listeners: { ssh: { bind: 10.0.0.1:22, pool: ssh } }
        pools: { ssh: { servers: nodes:22 } }
        """
    }

    func testAScriptWhoseFailurePutsEveryNodeInFaultIsWarnedAbout() {
        let warnings = parseValid(config(track: "scripts: [chk]"))?.warnings
        XCTAssertEqual(warnings?.map(\.keyPath), ["vrrp.VI_1.track.scripts.chk"])
        XCTAssertEqual(
            warnings?.first?.description,
            "warning: vrrp.VI_1.track.scripts.chk: every node's VI_1 goes to FAULT while script chk fails, so if it fails on all nodes at once nobody holds 10.0.0.1; give it a negative weight to lower the priority instead, or track vipd's pools (track.pools)"
        )
    }

    func testAWeightedScriptOrPoolTrackingIsNotWarnedAbout() {
        XCTAssertEqual(parseValid(config(track: "scripts: { chk: -20 }"))?.warnings, [])
        XCTAssertEqual(parseValid(config(track: "pools: { ssh: 0 }"))?.warnings, [])
    }
}
