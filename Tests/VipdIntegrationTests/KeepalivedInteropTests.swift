import Foundation
import VipdLab
import XCTest

/// A keepalived node and a vipd node with the same VRID and settings form one working pair, both
/// ways round, with VRRPv2 `auth_type PASS` and with VRRPv3; keepalived never logs our adverts as
/// invalid.
final class KeepalivedInteropTests: XCTestCase {
    private var lab: VRRPLab!
    private var keepalived: KeepalivedProcess?

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        try XCTSkipUnless(KeepalivedProcess.isAvailable, "keepalived not installed (apt-get install keepalived)")
        lab = try VRRPLab()
    }

    override func tearDown() {
        keepalived?.stop()
        lab?.tearDown()
    }

    private func vipdYAML(version: Int) -> String {
        VRRPLab.yaml(version: version, extraInstance: version == 2 ? "authentication: { password: secret12 }" : "")
    }

    private func startKeepalived(on index: Int, version: Int) throws -> KeepalivedProcess {
        let node = lab.lab.nodes[index]
        let process = try KeepalivedProcess(
            name: node.name,
            config: KeepalivedProcess.config(
                routerName: node.name, priority: index == 0 ? 100 : 50, version: version,
                password: version == 2 ? "secret12" : nil, virtualAddress: "\(VRRPLab.vip)/24"),
            namespace: node.namespace, directory: lab.directory)
        keepalived = process
        // keepalived's node proxies with vipd, without VRRP: keepalived + vipd replacing haproxy.
        try lab.startVipd(index, yaml: VRRPLab.yaml(withVRRP: false))
        return process
    }

    /// `master` (index 0, priority 100) and `backup` (index 1, priority 50): one holds the VIP,
    /// the backup takes it when the master stops, and the master takes it back when it returns.
    private func runPair(keepalivedOn keepalivedIndex: Int, version: Int) throws {
        let vipdIndex = 1 - keepalivedIndex
        let keepalived = try startKeepalived(on: keepalivedIndex, version: version)
        try lab.startVipd(vipdIndex, yaml: vipdYAML(version: version))
        try lab.waitForHolders([0], within: 15)
        XCTAssertFalse(try lab.loginServer().isEmpty)

        // The master stops gracefully; the backup takes over.
        if keepalivedIndex == 0 { keepalived.stop() } else { lab.vipdProcess(0)!.stop() }
        try lab.waitForHolders([1], within: 15)
        XCTAssertFalse(try lab.loginServer().isEmpty)
        // It returns and, with its higher priority, preempts.
        if keepalivedIndex == 0 { try keepalived.start() } else { try lab.startVipd(0, yaml: vipdYAML(version: version)) }
        try lab.waitForHolders([0], within: 15)
        Thread.sleep(forTimeInterval: 2)
        XCTAssertFalse(try lab.loginServer().isEmpty)
        XCTAssertEqual(try lab.holders(), [0], "one master at a time")

        let complaints = keepalived.log.split(separator: "\n").filter { line in
            let lower = line.lowercased()
            return lower.contains("invalid") || lower.contains("bogus") || lower.contains("mismatch")
        }
        XCTAssertEqual(complaints, [], "keepalived complained about our adverts:\n\(keepalived.log)\n\(lab.logs())")
        XCTAssertTrue(keepalived.log.contains("Entering"), "keepalived ran the instance:\n\(keepalived.log)")
    }

    func testKeepalivedMasterWithVipdBackupVersion2Password() throws {
        try runPair(keepalivedOn: 0, version: 2)
    }

    func testVipdMasterWithKeepalivedBackupVersion2Password() throws {
        try runPair(keepalivedOn: 1, version: 2)
    }

    func testKeepalivedMasterWithVipdBackupVersion3() throws {
        try runPair(keepalivedOn: 0, version: 3)
    }

    func testVipdMasterWithKeepalivedBackupVersion3() throws {
        try runPair(keepalivedOn: 1, version: 3)
    }
}
