import VipdConfig
import VipdCore
import XCTest

final class NodeResolutionTests: XCTestCase {
    let configuration = VipdConfiguration(
        nodes: [
            ClusterNode(name: "ha0", address: IPAddress("192.168.2.230")!),
            ClusterNode(name: "ha1", address: IPAddress("192.168.2.231")!),
            ClusterNode(name: "edge.example.com", address: IPAddress("2001:db8::7")!),
        ],
        global: GlobalSettings(), listeners: [], pools: [])

    func resolve(_ name: String?, _ addresses: [String], _ hostname: String) -> String? {
        configuration.resolveNode(named: name, hostAddresses: addresses.map { IPAddress($0)! }, hostname: hostname)?
            .name
    }

    func testExplicitNameWins() {
        XCTAssertEqual(resolve("ha1", ["192.168.2.230"], "ha0"), "ha1")
        XCTAssertNil(resolve("ha9", ["192.168.2.230"], "ha0"))
    }

    func testAddressBeforeHostname() {
        XCTAssertEqual(resolve(nil, ["127.0.0.1", "192.168.2.231"], "ha0"), "ha1")
        XCTAssertEqual(resolve(nil, ["2001:db8:0:0::7"], "ha0"), "edge.example.com")
    }

    func testHostnameThenShortHostname() {
        XCTAssertEqual(resolve(nil, ["10.0.0.1"], "ha0"), "ha0")
        XCTAssertEqual(resolve(nil, ["10.0.0.1"], "ha1.lan.example"), "ha1")
        XCTAssertEqual(resolve(nil, [], "edge.example.com"), "edge.example.com")
        XCTAssertNil(resolve(nil, ["10.0.0.1"], "other.lan"))
        XCTAssertNil(resolve(nil, [], ""))
    }
}
