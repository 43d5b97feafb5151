import Foundation
import VipdLab
import XCTest

/// fail2ban behind a `transparent` pool in the two-node lab: a real fail2ban-server on each node
/// (jail `sshd` on that node's sshd log, `nftables-multiport` on port 22, `maxretry = 2`) bans the
/// client whose logins through the VIP failed, not the proxying node, and the ban keeps that client
/// out while another client still gets in.
///
/// The test listener is the VIP's port 2222 (to the nodes' sshd at port 22), so that the ban, which
/// acts on port 22, meets vipd's connection to each node's sshd, not the client's to the VIP (a
/// listener at the VIP's port 22 would also be closed to a banned client on the VIP's owner).
final class TransparentFail2banTests: XCTestCase {
    private static let port = 2222

    private var lab: VRRPLab!
    private var fail2ban: [Fail2banServer] = []

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        try XCTSkipUnless(Fail2banServer.isAvailable, "fail2ban is not installed (apt-get install fail2ban)")
    }

    override func tearDown() {
        for server in fail2ban { server.stop() }
        fail2ban = []
        lab?.tearDown()
    }

    /// Failed logins from 10.251.1.3 (a user that does not exist) through the VIP reach both nodes'
    /// sshd with that address, each node's fail2ban bans exactly it, and then a login with the
    /// lab's key from 10.251.1.3 fails before any sshd sees it (vipd's connections to both nodes'
    /// sshd fail) while 10.251.1.2 logs in on both nodes.
    func testFailedLoginsThroughTheVIPBanTheClientOnBothNodesAndNotTheOtherClient() throws {
        lab = try VRRPLab()
        try lab.addSecondClient()
        fail2ban = try lab.lab.nodes.indices.map { node in
            try Fail2banServer(
                name: "ha\(node)", sshdLog: lab.sshd[node].logURL, maxRetry: 2, namespace: lab.lab.nodes[node].namespace,
                directory: lab.directory)
        }
        let listener = "ssh\(Self.port): { bind: \"\(VRRPLab.vip):\(Self.port)\", pool: ssh, connect_timeout: 1s }"
        try lab.startPair { lab.transparentYAML($0, extraListeners: [listener]) }
        try lab.waitForTransparentLoginsOnBothNodes(port: Self.port)
        XCTAssertEqual(try lab.login(port: Self.port, bindAddress: VRRPLab.secondClient).client, VRRPLab.secondClient, "before any failure")

        let stranger = SSHClient(keys: lab.keys, user: "nosuchuser")
        try lab.waitUntil("fail2ban on both nodes bans \(VRRPLab.secondClient)", within: 60) {
            // An attempt that a ban cuts while it runs waits for its timeout: the ban rejects its connection's next packets.
            let failed = try? stranger.run(
                host: VRRPLab.vip, port: Self.port, command: "true", timeout: .seconds(5), namespace: lab.lab.client.namespace,
                bindAddress: VRRPLab.secondClient)
            XCTAssertNotEqual(failed?.exitStatus, 0, failed?.standardOutput ?? "")
            return try fail2ban.allSatisfy { try !$0.bannedAddresses().isEmpty }
        }
        for (node, server) in fail2ban.enumerated() {
            XCTAssertEqual(try server.bannedAddresses(), [VRRPLab.secondClient], "ha\(node)'s fail2ban log:\n\(server.log)")
            let set = try lab.lab.nodes[node].namespace.run(ClusterLab.nft, ["list", "set"] + Fail2banServer.banSet).standardOutput
            XCTAssertTrue(set.contains("elements = { \(VRRPLab.secondClient) }"), "ha\(node)'s ban set:\n\(set)")
            let sshdLog = try String(contentsOf: lab.sshd[node].logURL, encoding: .utf8)
            XCTAssertTrue(sshdLog.contains("Invalid user nosuchuser from \(VRRPLab.secondClient) port "), "ha\(node)'s sshd log:\n\(sshdLog)")
        }

        let acceptedBefore = try acceptedLogins(from: VRRPLab.secondClient)
        let banned = try lab.client.run(
            host: VRRPLab.vip, port: Self.port, command: "true", timeout: .seconds(20), namespace: lab.lab.client.namespace,
            bindAddress: VRRPLab.secondClient)
        XCTAssertEqual(banned.exitStatus, 255, "the banned client got in: \(banned.standardOutput)")
        XCTAssertFalse(banned.standardError.contains("Permission denied"), "an sshd answered the banned client: \(banned.standardError)")
        XCTAssertEqual(try acceptedLogins(from: VRRPLab.secondClient), acceptedBefore)
        try lab.waitUntil("ha0's vipd logs that neither node's sshd took the banned client's connection", within: 5) {
            let cut = lab.vipdProcess(0)!.log.split(separator: "\n").last {
                $0.contains("\(VRRPLab.secondClient):") && $0.contains("closing the client connection")
            }
            return cut.map { $0.contains("connect to ssh/ha0 ") && $0.contains("connect to ssh/ha1 ") } ?? false
        }

        let others = try lab.logins(4, port: Self.port)
        XCTAssertEqual(Set(others.map(\.client)), [lab.lab.client.address], "\(others)")
        XCTAssertEqual(Set(others.map(\.server)), Set(lab.lab.nodes.map(\.address)), "round robin over both nodes")
    }

    /// How many logins from `address` the nodes' sshd accepted, from their logs.
    private func acceptedLogins(from address: String) throws -> Int {
        try lab.sshd.map { try String(contentsOf: $0.logURL, encoding: .utf8) }.joined()
            .components(separatedBy: "Accepted publickey for \(lab.client.user) from \(address) port ").count - 1
    }
}
