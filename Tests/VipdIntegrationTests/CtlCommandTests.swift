import Foundation
import VipdLab
import XCTest

/// `vipd ctl` against a running `vipd run` in front of two real OpenSSH sshd on loopback.
final class CtlCommandTests: TwoSSHDTestCase {
    private var vipd: VipdProcess?
    private var socket: URL { directory.file("run/vipd.sock") }

    override func tearDown() {
        vipd?.stop()
        super.tearDown()
    }

    private func yaml(extraListener: String = "") -> String {
        """
        listeners:
          ssh: { bind: 127.0.0.1:\(vipPort), pool: ssh }
        \(extraListener)
        pools:
          ssh:
            servers:
              - { name: ha0, address: 127.0.0.1:\(ha0.port) }
              - { name: ha1, address: 127.0.0.1:\(ha1.port) }
            check: { kind: ssh-banner, interval: 500ms, timeout: 5s, fall: 2, rise: 2 }
        global: { drain_timeout: 5s, control_socket: \(socket.path) }
        """
    }

    private func startVipd() throws -> VipdProcess {
        let process = try VipdProcess(yaml: yaml(), directory: directory)
        vipd = process
        return process
    }

    private func ctl(_ arguments: String...) throws -> ProcessRunner.Output {
        try VipdProcess.ctl(socket: socket.path, arguments)
    }

    private func loginServers(_ count: Int, port: Int? = nil) throws -> [String] {
        try (0..<count).map { _ in
            let served = try client.serverPort(host: "127.0.0.1", port: port ?? vipPort)
            return served == ha0.port ? "ha0" : served == ha1.port ? "ha1" : "port \(served)"
        }
    }

    /// `vipd ctl --json servers`, decoded.
    private func servers() throws -> [[String: Any]] {
        let output = try ctl("--json", "servers")
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
        let object = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
        return object?["servers"] as? [[String: Any]] ?? []
    }

    func testStatusAndServersShowThePool() throws {
        _ = try startVipd()
        let status = try ctl("status")
        XCTAssertEqual(status.exitStatus, 0, status.standardError)
        XCTAssertTrue(status.standardOutput.contains("pool ssh (roundrobin): 2/2 servers take new connections"), status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("ha1 127.0.0.1:\(ha1.port): UP (2/2 UP), weight 1"), status.standardOutput)
        let table = try ctl("servers")
        XCTAssertTrue(table.standardOutput.hasPrefix("SERVER"), table.standardOutput)
        let rows = try servers()
        XCTAssertEqual(rows.map { $0["name"] as? String }, ["ha0", "ha1"])
        XCTAssertEqual(rows.map { $0["health"] as? String }, ["up", "up"])
        XCTAssertEqual(rows.map { $0["admin"] as? String }, ["ready", "ready"])
        let json = try ctl("--json", "status")
        let object = try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any]
        XCTAssertEqual(object?["ok"] as? Bool, true)
        XCTAssertNotNil((object?["status"] as? [String: Any])?["pools"])
    }

    func testDrainKeepsAnOpenSSHSessionWhileNewLoginsGoElsewhere() throws {
        let vipd = try startVipd()
        let session = BackgroundSSH(client: client, port: vipPort, command: "sleep 6; echo still-here")
        // Which server carries the session: the one with an active connection.
        var carrier: String?
        for _ in 0..<100 where carrier == nil {
            carrier = try servers().first { ($0["activeConnections"] as? Int) == 1 }?["name"] as? String
            if carrier == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        let drained = try XCTUnwrap(carrier, "the session never showed up as an active connection\n\(vipd.log)")
        let other = drained == "ha0" ? "ha1" : "ha0"

        let drain = try ctl("drain", "ssh/\(drained)")
        XCTAssertEqual(drain.exitStatus, 0, drain.standardError)
        XCTAssertTrue(drain.standardOutput.hasPrefix("ssh/\(drained): drain (was ready): no new connections, 1 established continue"), drain.standardOutput)
        XCTAssertEqual(try loginServers(4), Array(repeating: other, count: 4), "new logins avoid the drained server")

        let result = try session.wait(timeout: 60)
        XCTAssertEqual(result.exitStatus, 0, result.standardError)
        XCTAssertEqual(result.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), "still-here", "the drained session ran to its end")

        XCTAssertEqual(try ctl("ready", "ssh/\(drained)").exitStatus, 0)
        XCTAssertEqual(Set(try loginServers(4)), ["ha0", "ha1"], "ready takes new logins again")
        XCTAssertTrue(vipd.log.contains("vipd ctl: server ssh/\(drained) is drain (was ready)"), vipd.log)
    }

    func testMaintStopsTheChecksAndReadyRestartsThem() throws {
        let vipd = try startVipd()
        let maint = try ctl("maint", "ssh/ha1")
        XCTAssertEqual(maint.exitStatus, 0, maint.standardError)
        try vipd.waitForLog(containing: "server ssh/ha1 is in maintenance, its checks stopped", timeout: 10)
        XCTAssertEqual(try loginServers(3), ["ha0", "ha0", "ha0"])
        // With checks every 500 ms and fall 2, a running check would see ha1's sshd gone within about 1.5 s.
        ha1.stop()
        Thread.sleep(forTimeInterval: 4)
        XCTAssertFalse(vipd.log.contains("server ssh/ha1 is DOWN"), "no checks run in maintenance\n\(vipd.log)")
        XCTAssertEqual(try servers().last?["check"] as? String, "checks stopped (maint)")

        try ha1.restart()
        XCTAssertEqual(try ctl("ready", "ssh/ha1").exitStatus, 0)
        try vipd.waitForLog(containing: "server ssh/ha1 is UP", count: 2, timeout: 30)  // the first is at start
        XCTAssertEqual(Set(try loginServers(4)), ["ha0", "ha1"])
    }

    func testWeightMovesTheShareOfNewLogins() throws {
        _ = try startVipd()
        let zero = try ctl("weight", "ssh/ha0", "0")
        XCTAssertEqual(zero.exitStatus, 0, zero.standardError)
        XCTAssertTrue(zero.standardOutput.hasPrefix("ssh/ha0: weight 0 (was 1)"), zero.standardOutput)
        XCTAssertEqual(try loginServers(3), ["ha1", "ha1", "ha1"], "weight 0 takes no share while another server has one")
        XCTAssertEqual(try ctl("weight", "ssh/ha0", "3").exitStatus, 0)
        let served = try loginServers(8)
        XCTAssertEqual(served.filter { $0 == "ha0" }.count, 6, "weights 3:1 over 8 logins: \(served)")
        XCTAssertEqual(try servers().first?["weight"] as? Int, 3)
    }

    func testReloadAppliesTheFileAndRejectsABadOne() throws {
        let vipd = try startVipd()
        let secondPort = try FreePort.allocate()
        try vipd.rewriteConfig(yaml(extraListener: "  ssh2: { bind: 127.0.0.1:\(secondPort), pool: ssh }"))
        let reload = try ctl("reload")
        XCTAssertEqual(reload.exitStatus, 0, reload.standardError)
        XCTAssertTrue(reload.standardOutput.contains("reloaded \(vipd.configURL.path): 2 listener(s), 1 pool(s)"), reload.standardOutput)
        XCTAssertTrue(vipd.log.contains("vipd ctl reload: reloading"), vipd.log)
        XCTAssertEqual(Set(try loginServers(2, port: secondPort)), ["ha0", "ha1"], "the new listener serves")

        try vipd.rewriteConfig("listeners:\n  ssh: { bind: nonsense, pool: nowhere }\n")
        let rejected = try ctl("reload")
        XCTAssertEqual(rejected.exitStatus, 1)
        XCTAssertTrue(rejected.standardError.contains("reload rejected, the running configuration stays"), rejected.standardError)
        XCTAssertTrue(rejected.standardError.contains("vipd.yaml:2:"), rejected.standardError)
        XCTAssertEqual(try loginServers(1).count, 1, "the old configuration keeps serving")
    }

    func testWhatCtlSetSurvivesAReloadThatChangesThePool() throws {
        let vipd = try startVipd()
        XCTAssertEqual(try ctl("maint", "ssh/ha1").exitStatus, 0)
        XCTAssertEqual(try ctl("weight", "ssh/ha0", "3").exitStatus, 0)
        try vipd.rewriteConfig(yaml().replacingOccurrences(of: "interval: 500ms", with: "interval: 400ms"))
        XCTAssertEqual(try ctl("reload").exitStatus, 0)
        try vipd.waitForLog(containing: "pool ssh changed: kept what vipd ctl set for ha0, ha1", timeout: 10)
        let listed = try servers()
        XCTAssertEqual(listed.first?["weight"] as? Int, 3, "\(listed)")
        XCTAssertEqual(listed.last?["check"] as? String, "checks stopped (maint)", "\(listed)")
        XCTAssertEqual(try loginServers(3), ["ha0", "ha0", "ha0"], "ha1 stays out")
    }

    func testUnknownNamesAndCommandsWithoutVRRPAreClearErrors() throws {
        _ = try startVipd()
        // The daemon refuses (1); a command line vipd ctl cannot parse is a usage error (64).
        let expectations: [([String], String, Int32)] = [
            (["drain", "web/ha0"], "vipd ctl drain: no pool named 'web'; pools: ssh", 1),
            (["maint", "ssh/ha9"], "vipd ctl maint: pool ssh has no server named 'ha9'; servers: ha0, ha1", 1),
            (["handover"], "vipd ctl handover: this node runs no VRRP instance: there is nothing to hand over", 1),
            (["ready"], "vipd ctl ready: this node runs no VRRP instance: there is no hold to release", 1),
            (["weight", "ssh/ha0", "1000"], "vipd ctl: weight '1000' is not a whole number in 0...256", 64),
            (["drain", "ha0"], "vipd ctl: 'ha0' is not POOL/SERVER", 64),
            (["bounce"], "vipd ctl: unknown command 'bounce'", 64),
        ]
        for (arguments, message, status) in expectations {
            let output = try VipdProcess.ctl(socket: socket.path, arguments)
            XCTAssertEqual(output.exitStatus, status, "\(arguments)")
            XCTAssertTrue(output.standardError.hasPrefix(message), "\(arguments): \(output.standardError)")
        }
        let missing = try VipdProcess.ctl(socket: directory.file("elsewhere.sock").path, ["status"])
        XCTAssertEqual(missing.exitStatus, 1)
        XCTAssertTrue(missing.standardError.contains("no control socket at"), missing.standardError)
    }

    func testOnlyRootMayUseTheSocket() throws {
        try XCTSkipUnless(getuid() == 0, "needs root to run vipd ctl as another user")
        _ = try startVipd()
        // Let an unprivileged user reach the socket's directory.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.url.path)
        let attributes = try FileManager.default.attributesOfItem(atPath: socket.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let byMode = try VipdProcess.ctl(socket: socket.path, ["status"], asUID: 65534)
        XCTAssertEqual(byMode.exitStatus, 1)
        XCTAssertTrue(byMode.standardError.contains("permission denied on \(socket.path)"), byMode.standardError)
        // Even through a socket opened to everyone, the daemon checks the peer's uid (SO_PEERCRED).
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: socket.path)
        let byPeer = try VipdProcess.ctl(socket: socket.path, ["status"], asUID: 65534)
        XCTAssertEqual(byPeer.exitStatus, 1)
        XCTAssertTrue(byPeer.standardError.contains("permission denied: the vipd control socket is for root only"), byPeer.standardError)
    }

    func testTheSocketGoesAwayWithTheDaemon() throws {
        let vipd = try startVipd()
        XCTAssertTrue(FileManager.default.fileExists(atPath: socket.path))
        vipd.signal(SIGTERM)
        XCTAssertEqual(vipd.waitForExit(timeout: 30), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: socket.path), "the daemon removes its socket when it stops")
    }
}

/// `vipd ctl handover` and `ready` in the two-node VRRP lab (namespaces, real sshd, both vipd).
final class CtlHandoverTests: XCTestCase {
    private var lab: VRRPLab!

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        lab = try VRRPLab()
    }

    override func tearDown() {
        lab?.tearDown()
    }

    /// The lab's file with each node's own control socket (the namespaces share one file system).
    private func socket(_ index: Int) -> URL { lab.directory.file("ctl-ha\(index).sock") }

    private func startNode(_ index: Int) throws {
        let yaml = VRRPLab.yaml().replacingOccurrences(
            of: "global: { drain_timeout: 2s }", with: "global: { drain_timeout: 2s, control_socket: \(socket(index).path) }")
        XCTAssertTrue(yaml.contains(socket(index).path))
        try lab.startVipd(index, yaml: yaml)
    }

    func testHandoverGivesTheVIPAwayUntilReady() throws {
        try startNode(0)
        try startNode(1)
        try lab.waitForHolders([0], within: 15)

        let handover = try VipdProcess.ctl(socket: socket(0).path, ["handover"])
        XCTAssertEqual(handover.exitStatus, 0, handover.standardError + lab.logs())
        XCTAssertEqual(
            handover.standardOutput.trimmingCharacters(in: .newlines),
            "VI_1: handed over to 10.251.1.12; held BACKUP until `vipd ctl ready`")
        XCTAssertEqual(try lab.holders(), [1], "ha0 released the VIP once ha1 advertised")
        XCTAssertFalse(try lab.loginServer().isEmpty, "logins through the VIP work after the handover")

        // ha0 (100) outranks ha1 (50) with preempt on: only the hold keeps it from taking the VIP back.
        Thread.sleep(forTimeInterval: 6)
        XCTAssertEqual(try lab.holders(), [1], lab.logs())
        let status = try VipdProcess.ctl(socket: socket(0).path, ["status"])
        XCTAssertTrue(status.standardOutput.contains("VRRP VI_1: BACKUP, priority 100, master 10.251.1.12, HELD"), status.standardOutput)

        let ready = try VipdProcess.ctl(socket: socket(0).path, ["ready"])
        XCTAssertEqual(ready.exitStatus, 0, ready.standardError)
        XCTAssertEqual(ready.standardOutput.trimmingCharacters(in: .newlines), "VI_1: hold released, taking part in the election again")
        try lab.waitForHolders([0], within: 15)
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("VI_1: MASTER -> BACKUP (handover: 10.251.1.12 is master now)"), lab.logs())
    }
}
