import Foundation
import VipdLab
import XCTest

/// A sync group of two instances on two networks (`outside` on eth0, `inside` on eth1) in the
/// namespace lab: when one interface of the master goes down, both virtual addresses move to the
/// other node together, and come back together; with vipd on both nodes, and with keepalived's
/// `vrrp_sync_group` on one of them, both ways round.
final class SyncGroupTests: XCTestCase {
    private static let outsideVIP = VRRPLab.vip
    private static let insideVIP = "10.251.2.100"
    private var lab: VRRPLab!
    private var keepalived: KeepalivedProcess?

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        lab = try VRRPLab()
        do {
            try lab.lab.addSecondNetwork()
        } catch {
            lab.tearDown()
            throw error
        }
    }

    override func tearDown() {
        keepalived?.stop()
        lab?.tearDown()
    }

    /// The file of both nodes: ha0 priority 100, ha1 50; `global` names the node's own control socket.
    private func yaml(node index: Int) -> String {
        """
        cluster:
          nodes:
            ha0: { address: 10.251.1.11, priority: 100 }
            ha1: { address: 10.251.1.12, priority: 50 }
        vrrp:
          outside: { interface: eth0, router_id: 51, virtual_addresses: [\(Self.outsideVIP)/24] }
          inside: { interface: eth1, router_id: 52, virtual_addresses: [\(Self.insideVIP)/24] }
        sync_groups:
          gateway: { instances: [outside, inside] }
        listeners:
          ssh: { bind: "\(Self.outsideVIP):22", pool: ssh, connect_timeout: 1s }
        pools:
          ssh:
            servers: "nodes:22"
            check: { kind: ssh-banner, interval: 1s, timeout: 5s, fall: 2, rise: 2 }
        global: { drain_timeout: 2s, control_socket: "\(lab.controlSocket(index))" }
        """
    }

    /// keepalived's configuration of the same group on node `index`.
    private static func keepalivedConfig(node index: Int) -> String {
        let priority = index == 0 ? 100 : 50
        func instance(_ name: String, _ interface: String, _ vrid: Int, _ vip: String) -> String {
            """
            vrrp_instance \(name) {
                state BACKUP
                interface \(interface)
                virtual_router_id \(vrid)
                priority \(priority)
                advert_int 1
                virtual_ipaddress {
                    \(vip)/24 dev \(interface)
                }
            }

            """
        }
        return """
            global_defs {
                router_id ha\(index)
                vrrp_version 3
            }
            vrrp_sync_group gateway {
                group {
                    outside
                    inside
                }
            }

            """ + instance("outside", "eth0", 51, outsideVIP) + instance("inside", "eth1", 52, insideVIP)
    }

    /// The nodes holding the outside and the inside address, as `[outside holders, inside holders]`.
    private func holders() throws -> [[Int]] {
        let nodes = lab.lab.nodes
        return [
            try nodes.indices.filter { try lab.lab.holds(Self.outsideVIP, on: nodes[$0], interface: ClusterLab.interface) },
            try nodes.indices.filter { try lab.lab.holds(Self.insideVIP, on: nodes[$0], interface: ClusterLab.secondInterface) },
        ]
    }

    private func logs() -> String { lab.logs() + (keepalived.map { "\n--- keepalived:\n\($0.log)" } ?? "") }

    /// Waits (bounded) until node `index` holds both addresses and the other neither; the seconds it took.
    @discardableResult
    private func waitForGroup(on index: Int, within timeout: TimeInterval, file: StaticString = #filePath, line: UInt = #line) throws
        -> TimeInterval
    {
        let start = Date()
        var current: [[Int]] = []
        while Date().timeIntervalSince(start) < timeout {
            current = try holders()
            if current == [[index], [index]] { return Date().timeIntervalSince(start) }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTFail("holders [outside, inside] are \(current), expected both on ha\(index) within \(timeout) s\n\(logs())", file: file, line: line)
        throw LabError.unexpectedOutput(command: "wait for the group on ha\(index)", output: "\(current)")
    }

    /// Node `master` holds the group; its inside cable is pulled: the other node takes both
    /// addresses; the cable back, `master` takes both back.
    private func runFailover(master: Int) throws {
        let backup = 1 - master
        try waitForGroup(on: master, within: 20)
        try lab.lab.setSecondLink(lab.lab.nodes[master], up: false)
        let moved = try waitForGroup(on: backup, within: 15)
        print("sync group: both addresses on ha\(backup) \(String(format: "%.2f", moved)) s after ha\(master)'s eth1 went down")
        try lab.lab.setSecondLink(lab.lab.nodes[master], up: true)
        let back = try waitForGroup(on: master, within: 15)
        print("sync group: both addresses back on ha\(master) \(String(format: "%.2f", back)) s after its eth1 came back")
        Thread.sleep(forTimeInterval: 2)
        XCTAssertEqual(try holders(), [[master], [master]], "one node holds the group\n\(logs())")
    }

    func testTheGroupMovesTogetherWhenAnInterfaceOfTheMasterGoesDown() throws {
        try lab.startVipd(0, yaml: yaml(node: 0))
        try lab.startVipd(1, yaml: yaml(node: 1))
        try runFailover(master: 0)
        let log = lab.vipdProcess(0)!.log
        for line in [
            "inside: MASTER -> FAULT (fault: interface eth1 down)",
            "outside: MASTER -> FAULT (fault: sync group gateway: inside interface eth1 down)",
            "sync group gateway: MASTER -> FAULT",
            "sync group gateway: BACKUP -> MASTER",
        ] {
            XCTAssertTrue(log.contains(line), "\(line)\n\(logs())")
        }
        let status = try lab.ctl(0, "status").standardOutput
        XCTAssertTrue(status.contains("VRRP outside: MASTER, priority 100, master 10.251.1.11, sync group gateway MASTER"), status)
        XCTAssertTrue(status.contains("VRRP inside: MASTER, priority 100, master 10.251.1.11, sync group gateway MASTER"), status)
    }

    private func startKeepalived(on index: Int) throws {
        try XCTSkipUnless(KeepalivedProcess.isAvailable, "keepalived not installed (apt-get install keepalived)")
        let node = lab.lab.nodes[index]
        keepalived = try KeepalivedProcess(
            name: node.name, config: Self.keepalivedConfig(node: index), namespace: node.namespace, directory: lab.directory)
    }

    func testKeepalivedsSyncGroupTakesOverFromVipds() throws {
        try startKeepalived(on: 1)
        try lab.startVipd(0, yaml: yaml(node: 0))
        try runFailover(master: 0)
        XCTAssertTrue(keepalived!.log.contains("Syncing instances to MASTER state"), logs())
    }

    func testVipdsSyncGroupTakesOverFromKeepaliveds() throws {
        try startKeepalived(on: 0)
        try lab.startVipd(1, yaml: yaml(node: 1))
        try runFailover(master: 0)
        XCTAssertTrue(keepalived!.log.contains("Syncing instances to FAULT state"), logs())
        XCTAssertTrue(lab.vipdProcess(1)!.log.contains("sync group gateway: BACKUP -> MASTER"), logs())
    }
}
