import VipdConfig
import VipdDoctor
import XCTest

final class CapabilityCheckTests: XCTestCase {
    private func config(port: Int, vrrp: Bool) throws -> VipdConfiguration {
        try ConfigLoader.parse(
            yaml: """
                cluster: { nodes: { ha0: { address: 10.251.1.11 }, ha1: { address: 10.251.1.12 } } }
                \(vrrp ? "vrrp: { VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.251.1.100/24] } }" : "")
                listeners: { ssh: { bind: "10.251.1.100:\(port)", pool: ssh } }
                pools: { ssh: { servers: "nodes:22" } }
                """, file: "vipd.yaml")
    }

    private func status(_ capEff: String) -> String { "Name:\tvipd\nCapInh:\t0000000000000000\nCapEff:\t\(capEff)\nCapBnd:\t000001ffffffffff\n" }

    func testRootHasEverything() throws {
        XCTAssertEqual(CapabilityCheck.effectiveSet(status: status("000001ffffffffff")), 0x1ff_ffff_ffff)
        let result = CapabilityCheck.result(status: status("000001ffffffffff"), config: try config(port: 22, vrrp: true))
        XCTAssertEqual(result.status, .pass)
        XCTAssertEqual(result.detail, "CAP_NET_BIND_SERVICE, CAP_NET_ADMIN, CAP_NET_RAW")
    }

    func testMissingCapabilitiesAreNamedWithTheirReason() throws {
        // CAP_NET_ADMIN (bit 12) only.
        let result = CapabilityCheck.result(status: status("0000000000001000"), config: try config(port: 22, vrrp: true))
        XCTAssertEqual(result.status, .fail)
        XCTAssertEqual(
            result.detail,
            "missing CAP_NET_BIND_SERVICE, needed for listening on port 22\nmissing CAP_NET_RAW, needed for the VRRP socket, gratuitous ARP and the capture")
        XCTAssertTrue(result.fix.contains("AmbientCapabilities=CAP_NET_BIND_SERVICE CAP_NET_RAW"), result.fix)
    }

    func testAHighPortWithoutVRRPNeedsNothing() throws {
        XCTAssertEqual(CapabilityCheck.result(status: status("0000000000000000"), config: try config(port: 2222, vrrp: false)).status, .pass)
        XCTAssertEqual(CapabilityCheck.result(status: "Name:\tx\n", config: try config(port: 22, vrrp: false)).status, .warn)
    }
}
