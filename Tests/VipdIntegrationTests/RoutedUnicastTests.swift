import Foundation
import VipdLab
import XCTest

/// Unicast VRRP across a router: the adverts arrive with TTL 254, and vipd accepts them from its
/// configured peer as keepalived does, so one node is MASTER, the other BACKUP — with vipd on both
/// nodes, and with keepalived on one side.
final class RoutedUnicastTests: XCTestCase {
    private var lab: RoutedPairLab!

    /// More than twice ha1's Master_Down_Interval (VRRPv3, 1 s, priority 50: 3.8 s): a backup that
    /// did not hear the master would have taken over by then.
    private static let backupHolds: TimeInterval = 8

    override func setUpWithError() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        lab = try RoutedPairLab()
    }

    override func tearDown() {
        lab?.tearDown()
    }

    /// With ha0 master, vipd starts on ha1 and must stay BACKUP, hearing ha0 through the router.
    private func startBackupOnHa1() throws {
        try lab.waitForHolders([0], within: 15, steadyFor: 1)
        try lab.startVipd(1)
        Thread.sleep(forTimeInterval: Self.backupHolds)
        XCTAssertEqual(try lab.holders(), [0], lab.logs())
        XCTAssertTrue(lab.vipdLog(1).contains("INIT -> BACKUP"), lab.logs())
        XCTAssertFalse(lab.vipdLog(1).contains("-> MASTER"), "ha1 took over while ha0 advertised:\n\(lab.logs())")
    }

    func testTwoVipdNodesOnDifferentSubnetsElectOneMasterAndFailOver() throws {
        try lab.startVipd(0)
        try startBackupOnHa1()

        // The master dies without a word: ha1's down timer runs out and it takes over.
        try lab.killNode(0)
        let died = Date()
        try lab.waitForHolders([1], within: 15, steadyFor: 1)
        // waitForHolders confirms the holder one second later: the takeover came that much sooner.
        print("ha1 took over \(String(format: "%.2f", Date().timeIntervalSince(died) - 1)) s after ha0 died (Master_Down_Interval 3.8 s)")
    }

    func testKeepalivedAndVipdOnDifferentSubnetsElectOneMaster() throws {
        try XCTSkipUnless(KeepalivedProcess.isAvailable, "keepalived not installed (apt-get install keepalived)")
        let keepalived = try lab.startKeepalived(0)
        try startBackupOnHa1()
        // keepalived accepts vipd's routed adverts too: it logs no TTL complaint.
        XCTAssertFalse(keepalived.log.lowercased().contains("invalid ttl"), lab.logs())

        // keepalived stops (priority 0): vipd takes over.
        keepalived.stop()
        try lab.waitForHolders([1], within: 15, steadyFor: 1)
    }
}
