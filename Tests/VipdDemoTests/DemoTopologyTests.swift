import VipdConfig
import VipdDemo
import XCTest

/// The embedded configuration read as the demo's cast, and every way it can fail to fit the lab.
final class DemoTopologyTests: XCTestCase {
    private let labAddresses = ["10.251.1.11", "10.251.1.12"]

    func testEmbeddedConfigurationGivesTwoNodesTheVIPAndTheirTimers() throws {
        let topology = try DemoTopology(
            configuration: try DemoConfiguration.parsed(), labAddresses: labAddresses, labInterface: "eth0")
        XCTAssertEqual(topology.nodes.map(\.name), ["ha0", "ha1"])
        XCTAssertEqual(topology.nodes.map(\.priority), [100, 50])
        XCTAssertEqual(topology.vip, "10.251.1.100")
        XCTAssertEqual(topology.port, 22)
        XCTAssertEqual(topology.pool, "ssh")
        XCTAssertEqual(topology.interface, "eth0")
        XCTAssertEqual(topology.routerID, 51)
        // VRRPv3, 1 s: 300 cs + (256 - priority) * 100 / 256 cs.
        XCTAssertEqual(topology.nodes.map(\.masterDownInterval), [.milliseconds(3600), .milliseconds(3800)])
        XCTAssertEqual(topology.masterIndex, 0)
        XCTAssertEqual(topology.backupIndex, 1)
        XCTAssertEqual(topology.index(ofAddress: "10.251.1.12"), 1)
        XCTAssertNil(topology.index(ofAddress: "10.251.1.2"))
        XCTAssertEqual(topology.label(1), "10.251.1.12 (ha1)")
    }

    func testTheMasterIsTheHighestPriorityWhereverItIsListed() throws {
        let yaml = DemoConfiguration.yaml
            .replacingOccurrences(of: "priority: 100", with: "priority: 10")
            .replacingOccurrences(of: "priority: 50", with: "priority: 200")
        let topology = try DemoTopology(
            configuration: try ConfigLoader.parse(yaml: yaml, file: "t.yaml"), labAddresses: labAddresses, labInterface: "eth0")
        XCTAssertEqual(topology.masterIndex, 1)
        XCTAssertEqual(topology.backupIndex, 0)
    }

    func testEqualPrioritiesMakeTheFirstListedTheMaster() throws {
        let yaml = DemoConfiguration.yaml.replacingOccurrences(of: "priority: 50", with: "priority: 100")
        let topology = try DemoTopology(
            configuration: try ConfigLoader.parse(yaml: yaml, file: "t.yaml"), labAddresses: labAddresses, labInterface: "eth0")
        XCTAssertEqual(topology.masterIndex, 0)
    }

    func testMismatchesWithTheLabAreNamed() throws {
        let configuration = try DemoConfiguration.parsed()
        XCTAssertThrowsError(try DemoTopology(configuration: configuration, labAddresses: ["10.251.1.11"], labInterface: "eth0")) {
            XCTAssertEqual("\($0)", "the lab has 1 nodes, the configuration 2")
        }
        XCTAssertThrowsError(
            try DemoTopology(configuration: configuration, labAddresses: ["10.251.1.11", "10.251.1.13"], labInterface: "eth0")
        ) { XCTAssertEqual("\($0)", "ha1 has address 10.251.1.12, the lab gives it 10.251.1.13") }
        XCTAssertThrowsError(try DemoTopology(configuration: configuration, labAddresses: labAddresses, labInterface: "br0")) {
            XCTAssertEqual("\($0)", "VRRP runs on eth0, the lab's interface is br0")
        }
    }

    func testAConfigurationWithoutVRRPOrWithoutAListenerOnTheVIPIsRejected() throws {
        var configuration = try DemoConfiguration.parsed()
        configuration.listeners = []
        XCTAssertThrowsError(try DemoTopology(configuration: configuration, labAddresses: labAddresses, labInterface: "eth0")) {
            XCTAssertEqual("\($0)", "no listener binds the VIP 10.251.1.100")
        }
        configuration.vrrp = []
        XCTAssertThrowsError(try DemoTopology(configuration: configuration, labAddresses: labAddresses, labInterface: "eth0")) {
            XCTAssertEqual("\($0)", "the demo needs exactly one VRRP instance with one virtual address")
        }
    }
}
