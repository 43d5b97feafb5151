import Foundation
import VipdLab
import XCTest

/// The stats listener of the real `vipd run`: the page in real headless Chromium (server states,
/// a server going down shown without a reload, a screenshot kept), `/metrics` read by
/// prometheus_client's parser, basic authentication, and in a namespace lab each node's VRRP view.
final class StatsPageTests: TwoSSHDTestCase {
    private var statsPort = 0

    /// Where screenshots are kept: `$VIPD_TEST_ARTIFACTS`, else /tmp/vipd-test-artifacts.
    private static var artifacts: URL {
        URL(fileURLWithPath: ProcessInfo.processInfo.environment["VIPD_TEST_ARTIFACTS"] ?? "/tmp/vipd-test-artifacts")
    }

    private static let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    override func setUpWithError() throws {
        try super.setUpWithError()
        statsPort = try FreePort.allocate()
    }

    /// The test's file; `stats` replaces its `stats` line (an empty string leaves the section out).
    private func yaml(auth: String = "", stats: String? = nil) -> String {
        """
        listeners:
          ssh: { bind: 127.0.0.1:\(vipPort), pool: ssh }
        pools:
          ssh:
            servers:
              - { name: ha0, address: 127.0.0.1:\(ha0.port) }
              - { name: ha1, address: 127.0.0.1:\(ha1.port) }
            check: { kind: ssh-banner, interval: 500ms, timeout: 5s, fall: 2, rise: 2 }
        \(stats ?? "stats: { bind: 127.0.0.1:\(statsPort)\(auth) }")
        global: { drain_timeout: 2s, control_socket: \(directory.file("control.sock").path) }
        """
    }

    func testPageShowsServerStatesAndADownServerWithoutReload() throws {
        try XCTSkipUnless(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "Chromium not installed (apt-get install chromium)")
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        XCTAssertTrue(vipd.log.contains("stats on http://127.0.0.1:\(statsPort)/"), vipd.log)
        let browser = try StatsBrowser(url: "http://127.0.0.1:\(statsPort)/", directory: directory)
        defer { browser.quit() }

        for server in ["ha0", "ha1"] {
            let answer = try browser.command("wait-server ssh \(server) UP 30")
            XCTAssertEqual(answer["ok"] as? Bool, true, "\(server) UP on the page: \(answer)\n\(browser.log)")
        }
        _ = try browser.command("mark")
        let before = try XCTUnwrap(browser.command("page")["page"] as? [String: Any])
        XCTAssertEqual((before["checks"] as? [String])?.allSatisfy { $0.hasPrefix("passed: SSH banner") }, true, "\(before)")

        ha1.stop()
        let down = try browser.command("wait-server ssh ha1 DOWN 30")
        XCTAssertEqual(down["ok"] as? Bool, true, "ha1 DOWN on the page: \(down)\n\(vipd.log)")
        let page = try XCTUnwrap(down["page"] as? [String: Any])
        XCTAssertEqual(page["marker"] as? String, "set once", "the page must not have been reloaded: \(page)")
        XCTAssertEqual(page["navigations"] as? Int, 1)
        XCTAssertGreaterThan(page["updates"] as? Int ?? 0, before["updates"] as? Int ?? 0)
        XCTAssertTrue(((page["servers"] as? [[String]]) ?? []).contains(["ssh", "ha0", "UP"]), "\(page)")
        XCTAssertTrue(((page["checks"] as? [String]) ?? []).contains { $0.hasPrefix("failed: ") }, "\(page)")

        let drain = try VipdProcess.ctl(socket: directory.file("control.sock").path, ["drain", "ssh/ha0"])
        XCTAssertEqual(drain.exitStatus, 0, drain.standardError)
        let drained = try browser.command("wait-admin ssh ha0 drain 30")
        XCTAssertEqual(drained["ok"] as? Bool, true, "ha0 draining on the page: \(drained)")
        let drainedPage = try XCTUnwrap(drained["page"] as? [String: Any])
        XCTAssertTrue(((drainedPage["stateTexts"] as? [String]) ?? []).contains { $0.hasPrefix("UP DRAIN") }, "\(drainedPage)")

        try keepScreenshot(browser, "stats-page-ha1-down.png")
    }

    /// A server down, the other drained: the page's pool header says what `vipd ctl status` says (no
    /// server takes new connections), a refused client shows in the listener and pool, the down
    /// server's last change and downtime appear, and the monitor's line says why it does not run
    /// here; `/stats.csv` and `/stats;csv` carry the same in haproxy's CSV form.
    func testPageAgreesWithCtlForADrainedPoolAndShowsErrorsAndDowntime() throws {
        try XCTSkipUnless(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "Chromium not installed (apt-get install chromium)")
        let vipd = try VipdProcess(yaml: yaml(), directory: directory)
        defer { vipd.stop() }
        let browser = try StatsBrowser(url: "http://127.0.0.1:\(statsPort)/", directory: directory)
        defer { browser.quit() }
        for server in ["ha0", "ha1"] {
            XCTAssertEqual(try browser.command("wait-server ssh \(server) UP 30")["ok"] as? Bool, true, "\(server) UP")
        }
        ha1.stop()
        XCTAssertEqual(try browser.command("wait-server ssh ha1 DOWN 30")["ok"] as? Bool, true, vipd.log)
        let socket = directory.file("control.sock").path
        XCTAssertEqual(try VipdProcess.ctl(socket: socket, ["drain", "ssh/ha0"]).exitStatus, 0)
        XCTAssertEqual(try browser.command("wait-admin ssh ha0 drain 30")["ok"] as? Bool, true)
        let status = try VipdProcess.ctl(socket: socket, ["status"]).standardOutput
        XCTAssertTrue(status.contains("pool ssh (roundrobin): 0/2 servers take new connections"), status)

        let refused = try HTTPProbe.exchange(address: "127.0.0.1", port: vipPort, sending: [], timeout: .seconds(15))
        XCTAssertTrue(refused.closedByServer, "no server takes new connections: the client is refused")

        var page: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(30)
        repeat {
            page = try XCTUnwrap(browser.command("page")["page"] as? [String: Any])
            let summary = ((page["poolSummaries"] as? [[String]]) ?? []).first { $0.first == "ssh" }?.last ?? ""
            if summary.contains("refused (no server) 1") { break }
            Thread.sleep(forTimeInterval: 0.2)
        } while Date() < deadline
        let summary = ((page["poolSummaries"] as? [[String]]) ?? []).first { $0.first == "ssh" }?.last ?? ""
        XCTAssertTrue(summary.hasPrefix("0/2 take new connections"), "the page says what ctl status says: \(summary)")
        XCTAssertTrue(summary.contains("refused (no server) 1"), summary)
        let listeners = (page["listenerCells"] as? [[String: String]]) ?? []
        XCTAssertEqual(listeners.first { $0["listener"] == "ssh" }?["noServer"], "1", "\(listeners)")
        let cells = (page["serverCells"] as? [[String: String]]) ?? []
        let ha1Cells = try XCTUnwrap(cells.first { $0["server"] == "ha1" }, "\(cells)")
        XCTAssertTrue(ha1Cells["lastChange"]?.contains(" ago") == true, "\(ha1Cells)")
        XCTAssertTrue(ha1Cells["lastChange"]?.contains("down 1×") == true, "\(ha1Cells)")
        XCTAssertEqual(ha1Cells["errors"], "0 / 0", "\(ha1Cells)")
        XCTAssertEqual(ha1Cells["retries"], "0 / 0", "\(ha1Cells)")
        let monitor = page["monitorText"] as? String ?? ""
        XCTAssertTrue(monitor.contains("no VRRP instance runs on this node"), monitor)
        XCTAssertFalse(monitor.contains("libpcap"), "vipd has libpcap and CAP_NET_RAW here: \(monitor)")
        try keepScreenshot(browser, "stats-page-drained-pool.png")

        for path in ["/stats.csv", "/stats;csv"] {
            let csv = try ProcessRunner.run(
                URL(fileURLWithPath: "/usr/bin/curl"), arguments: ["--silent", "http://127.0.0.1:\(statsPort)\(path)"],
                timeout: .seconds(30)
            ).standardOutput
            let lines = csv.split(separator: "\n").map(String.init)
            XCTAssertTrue(lines.first?.hasPrefix("# pxname,svname,scur,stot,") == true, "\(path): \(csv)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("ssh,FRONTEND,") && $0.hasSuffix(",1,") }, "one refusal: \(csv)")
            XCTAssertTrue(lines.contains { $0.hasPrefix("ssh,ha0,") && $0.contains(",DRAIN,") }, csv)
            XCTAssertTrue(lines.contains { $0.hasPrefix("ssh,ha1,") && $0.contains(",DOWN,") }, csv)
            XCTAssertTrue(lines.contains { $0.hasPrefix("ssh,BACKEND,") && $0.contains(",DOWN,") }, csv)
        }
    }

    /// The browser's view as a PNG file among the test artifacts.
    private func keepScreenshot(_ browser: StatsBrowser, _ name: String) throws {
        try FileManager.default.createDirectory(at: Self.artifacts, withIntermediateDirectories: true)
        let screenshot = Self.artifacts.appendingPathComponent(name)
        let shot = try browser.command("screenshot \(screenshot.path)")
        XCTAssertGreaterThan(shot["bytes"] as? Int ?? 0, 1000)
        let png = try Data(contentsOf: screenshot)
        XCTAssertEqual(Array(png.prefix(4)), [0x89, 0x50, 0x4E, 0x47], "a PNG file")
        print("stats page screenshot kept in \(Self.artifacts.path): \(screenshot.lastPathComponent)")
    }

    /// Two nodes on loopback addresses (ha0 127.0.0.1, ha1 127.0.0.2, `stats` on `node:PORT`):
    /// ha0's page shows ha1 in its cluster table, and ha1 stopping appears without a reload.
    func testPageShowsAPeerAndThePeerStoppingWithoutReload() throws {
        try XCTSkipUnless(
            FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium"), "Chromium not installed (apt-get install chromium)")
        let cluster = "cluster: { nodes: { ha0: { address: 127.0.0.1 }, ha1: { address: 127.0.0.2 } } }\nstats: { bind: \"node:\(statsPort)\" }"
        let ha0 = try VipdProcess(yaml: yaml(stats: cluster), directory: directory, name: "vipd-ha0", arguments: ["--node", "ha0"])
        defer { ha0.stop() }
        let otherListener = yaml(stats: cluster).replacingOccurrences(of: "127.0.0.1:\(vipPort)", with: "127.0.0.2:\(vipPort)")
            .replacingOccurrences(of: "control.sock", with: "control-ha1.sock")
        let ha1 = try VipdProcess(yaml: otherListener, directory: directory, name: "vipd-ha1", arguments: ["--node", "ha1"])
        defer { ha1.stop() }
        let browser = try StatsBrowser(url: "http://127.0.0.1:\(statsPort)/", directory: directory)
        defer { browser.quit() }

        let seen = try browser.command("wait-peer ha1 true 30")
        XCTAssertEqual(seen["ok"] as? Bool, true, "ha1 answering on ha0's page: \(seen)\n\(ha0.log)")
        _ = try browser.command("mark")
        let page = try XCTUnwrap(seen["page"] as? [String: Any])
        XCTAssertEqual(page["clusterShown"] as? Bool, true)
        XCTAssertTrue(((page["peerTexts"] as? [String]) ?? []).contains { $0.contains("127.0.0.2:\(statsPort)") }, "\(page)")

        ha1.stop()
        let gone = try browser.command("wait-peer ha1 false 30")
        XCTAssertEqual(gone["ok"] as? Bool, true, "ha1 not answering on ha0's page: \(gone)\n\(ha0.log)")
        let gonePage = try XCTUnwrap(gone["page"] as? [String: Any])
        XCTAssertEqual(gonePage["marker"] as? String, "set once", "the page must not have been reloaded: \(gonePage)")
        XCTAssertTrue(
            ((gonePage["peerTexts"] as? [String]) ?? []).contains { $0.contains("does not answer: connection refused") }, "\(gonePage)")
        XCTAssertTrue(ha0.log.contains("stats: peer ha1 answers on http://127.0.0.2:\(statsPort)/"), ha0.log)
        try keepScreenshot(browser, "stats-page-peer-gone.png")
    }

    func testMetricsParseAndBasicAuthentication() throws {
        let vipd = try VipdProcess(yaml: yaml(auth: ", auth: { user: admin, password: \"pw 1\" }"), directory: directory)
        defer { vipd.stop() }
        let url = "http://127.0.0.1:\(statsPort)/metrics"
        let denied = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/curl"), arguments: ["--silent", "--output", "/dev/null", "--write-out", "%{http_code}", url],
            timeout: .seconds(30))
        XCTAssertEqual(denied.standardOutput, "401")

        let login = try client.serverPort(host: "127.0.0.1", port: vipPort)
        let served = login == ha0.port ? "ha0" : "ha1"
        let families = try Self.parseMetrics(url: url, user: "admin", password: "pw 1")
        XCTAssertEqual(families["vipd_server_up"]?.type, "gauge")
        XCTAssertEqual(families["vipd_server_up"]?.value(["pool": "ssh", "server": "ha0"]), 1)
        XCTAssertEqual(families["vipd_server_up"]?.value(["pool": "ssh", "server": "ha1"]), 1)
        XCTAssertEqual(families["vipd_server_connections"]?.type, "counter")
        XCTAssertEqual(
            families["vipd_server_connections"]?.value(["pool": "ssh", "server": served], sample: "vipd_server_connections_total"), 1)
        XCTAssertGreaterThan(
            families["vipd_server_sent_bytes"]?.value(["pool": "ssh", "server": served], sample: "vipd_server_sent_bytes_total") ?? 0,
            1000, "an ssh login's bytes from the server")
        XCTAssertEqual(families["process_cpu_seconds"]?.type, "counter")
        XCTAssertGreaterThan(families["process_resident_memory_bytes"]?.value([:]) ?? 0, 1_000_000)
        let histogram = try XCTUnwrap(families["vipd_check_duration_seconds"])
        XCTAssertEqual(histogram.type, "histogram")
        let count = histogram.value(["pool": "ssh", "server": "ha0"], sample: "vipd_check_duration_seconds_count") ?? 0
        XCTAssertGreaterThanOrEqual(count, 1)
        XCTAssertEqual(
            histogram.value(["pool": "ssh", "server": "ha0", "le": "+Inf"], sample: "vipd_check_duration_seconds_bucket"), count)
        XCTAssertEqual(families["vipd_monitor_up"]?.value([:]), 0, "no VRRP, no monitor")
    }

    /// The HTTP status curl gets for `url` (with `user:password`), "000" when nothing answers.
    private func status(_ url: String, login: String? = nil) throws -> String {
        let credentials = login.map { ["--user", $0] } ?? []
        return try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/curl"),
            arguments: ["--silent", "--output", "/dev/null", "--write-out", "%{http_code}"] + credentials + [url],
            timeout: .seconds(30)
        ).standardOutput
    }

    func testAReloadChangesCredentialsMovesTheListenerAndClosesIt() throws {
        let vipd = try VipdProcess(yaml: yaml(auth: ", auth: { user: admin, password: old }"), directory: directory)
        defer { vipd.stop() }
        let first = "http://127.0.0.1:\(statsPort)/metrics"
        XCTAssertEqual(try status(first, login: "admin:old"), "200")

        try vipd.rewriteConfig(yaml(auth: ", auth: { user: admin, password: new }"))
        vipd.signal(SIGHUP)
        try vipd.waitForLog(containing: "reload done", timeout: 30)
        XCTAssertEqual(try status(first, login: "admin:old"), "401", "the old password is refused at once")
        XCTAssertEqual(try status(first, login: "admin:new"), "200")

        let secondPort = try FreePort.allocate()
        try vipd.rewriteConfig(yaml(stats: "stats: { bind: 127.0.0.1:\(secondPort) }"))
        vipd.signal(SIGHUP)
        try vipd.waitForLog(containing: "reload done", count: 2, timeout: 30)
        XCTAssertEqual(try status("http://127.0.0.1:\(secondPort)/stats"), "200", "the new bind, without authentication")
        XCTAssertEqual(try status(first, login: "admin:new"), "000", "the old bind is closed")

        try vipd.rewriteConfig(yaml(stats: ""))
        vipd.signal(SIGHUP)
        try vipd.waitForLog(containing: "reload done", count: 3, timeout: 30)
        XCTAssertEqual(try status("http://127.0.0.1:\(secondPort)/stats"), "000", "no stats section, no listener")
        XCTAssertTrue(vipd.log.contains("stats listener closed"), vipd.log)
    }

    func testEachNodeShowsItsVRRPViewInALab() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        let lab = try VRRPLab()
        defer { lab.tearDown() }
        try startPair(lab, stats: "stats: { bind: \"node:8404\" }")
        let master = try stats(lab, node: 0)
        let backup = try waitForStats(lab, node: 1, "BACKUP with a master heard") {
            $0["state"] as? String == "BACKUP" && $0["masterAddress"] is String
        }
        let masterInstance = try XCTUnwrap((master["vrrp"] as? [[String: Any]])?.first)
        XCTAssertEqual(masterInstance["state"] as? String, "MASTER")
        XCTAssertEqual(masterInstance["masterIsThisNode"] as? Bool, true)
        XCTAssertEqual(masterInstance["masterAddress"] as? String, "10.251.1.11")
        XCTAssertEqual(masterInstance["priority"] as? Int, 100)
        XCTAssertEqual(masterInstance["effectivePriority"] as? Int, 100)
        let transitions = try XCTUnwrap(masterInstance["recentTransitions"] as? [[String: Any]])
        XCTAssertEqual(transitions.first?["to"] as? String, "MASTER", "newest first: \(transitions)")
        XCTAssertEqual(transitions.last?["from"] as? String, "INIT")
        XCTAssertEqual(backup["masterAddress"] as? String, "10.251.1.11", "ha1 sees ha0 hold the VIP")
        XCTAssertEqual(backup["masterIsThisNode"] as? Bool, false)
        XCTAssertEqual(backup["priority"] as? Int, 50)
        XCTAssertEqual(master["node"] as? String, "ha0")

        let families = try metricsInLab(lab, node: 1)
        XCTAssertEqual(families["vipd_vrrp_state"]?.value(["instance": "VI_1", "state": "BACKUP"]), 1)
        XCTAssertEqual(families["vipd_vrrp_state"]?.value(["instance": "VI_1", "state": "MASTER"]), 0)
        XCTAssertEqual(families["vipd_vrrp_priority"]?.value(["instance": "VI_1"]), 50)
        XCTAssertEqual(families["vipd_peer_up"]?.value(["peer": "ha0"]), 1)
        XCTAssertEqual(families["vipd_cluster_warnings"]?.value(["kind": "two-masters"]), 0)
    }

    /// Each node's page shows the other's VRRP view, fetched from its stats listener; two masters
    /// (VRRP dropped by a firewall, the stats port still open) are named on both; a node that stops
    /// answering is marked so, with its last view.
    func testEachNodeShowsThePeersViewAndTheWarningsTheyMakeTogether() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        let lab = try VRRPLab()
        defer { lab.tearDown() }
        let ha1 = try startPair(lab, stats: "stats: { bind: \"node:8404\", auth: { user: admin, password: \"same on both\" } }")
        let peerOfHa0 = try waitForStats(lab, node: 0, "ha1 as a BACKUP peer", \.firstPeer) {
            $0["node"] as? String == "ha1" && $0["reachable"] as? Bool == true && Self.state(of: $0) == "BACKUP"
                && Self.instance(of: $0)?["masterAddress"] is String
        }
        XCTAssertEqual(peerOfHa0["address"] as? String, "10.251.1.12:8404")
        XCTAssertEqual(Self.instance(of: peerOfHa0)?["priority"] as? Int, 50)
        XCTAssertEqual(Self.instance(of: peerOfHa0)?["masterAddress"] as? String, "10.251.1.11", "ha1 hears ha0")
        let peerOfHa1 = try waitForStats(lab, node: 1, "ha0 as the MASTER peer", \.firstPeer) {
            $0["node"] as? String == "ha0" && Self.state(of: $0) == "MASTER"
        }
        XCTAssertEqual(Self.instance(of: peerOfHa1)?["masterIsThisNode"] as? Bool, true)
        XCTAssertEqual((try stats(lab, node: 0)["clusterWarnings"] as? [[String: Any]])?.count, 0)

        try lab.lab.dropVRRP(on: lab.lab.nodes[1])
        for node in [0, 1] {
            let warning = try waitForStats(lab, node: node, "two masters", { ($0["clusterWarnings"] as? [[String: Any]])?.first ?? [:] }) {
                $0["kind"] as? String == "two-masters"
            }
            XCTAssertEqual(warning["nodes"] as? [String], node == 0 ? ["ha0", "ha1"] : ["ha1", "ha0"])
            XCTAssertEqual(warning["instance"] as? String, "VI_1")
            XCTAssertTrue((warning["text"] as? String ?? "").contains("split brain, each answers for 10.251.1.100/24"), "\(warning)")
        }
        let status = try VipdProcess.ctl(socket: controlSocket(0, of: lab), ["status"])
        try status.requireSuccess()
        XCTAssertTrue(status.standardOutput.contains("peer ha1 (10.251.1.12:8404)\n  VRRP VI_1: MASTER, priority 50"), status.standardOutput)
        XCTAssertTrue(
            status.standardOutput.contains("CLUSTER WARNING VI_1: ha0 and ha1 are both MASTER: split brain"), status.standardOutput)
        try pageInLab(
            lab, "http://admin:same%20on%20both@10.251.1.11:8404/", showsWarning: "two-masters", screenshot: "stats-page-two-masters.png")

        ha1.stop()
        let gone = try waitForStats(lab, node: 0, "ha1 not answering", \.firstPeer) { $0["reachable"] as? Bool == false }
        XCTAssertEqual(gone["error"] as? String, "connection refused")
        XCTAssertNotNil(gone["lastSeen"] as? Double)
        XCTAssertNotNil(Self.instance(of: gone), "its last view stays: \(gone)")
        let warnings = try XCTUnwrap(try stats(lab, node: 0)["clusterWarnings"] as? [[String: Any]])
        XCTAssertTrue(warnings.isEmpty, "a peer that does not answer is not counted: \(warnings)")
        XCTAssertTrue(lab.logs().contains("stats: peer ha1 (http://10.251.1.12:8404/) does not answer: connection refused"), lab.logs())
    }

    /// A node that `vipd ctl handover` holds out of the master role shows as held on its own page
    /// and metrics and on the other node's page, status and warnings (it will not take the VIP back
    /// if the new master fails); `vipd ctl ready` clears it everywhere.
    func testAHandoverHoldShowsOnEveryNode() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        let lab = try VRRPLab()
        defer { lab.tearDown() }
        try startPair(lab, stats: "stats: { bind: \"node:8404\" }")
        _ = try waitForStats(lab, node: 0, "ha1 as a BACKUP peer", \.firstPeer) {
            $0["reachable"] as? Bool == true && Self.state(of: $0) == "BACKUP"
        }
        XCTAssertEqual(try stats(lab, node: 0).firstInstance["held"] as? Bool, false)

        let handover = try VipdProcess.ctl(socket: controlSocket(0, of: lab), ["handover"])
        XCTAssertEqual(handover.exitStatus, 0, handover.standardError + lab.logs())
        let ownView = try waitForStats(lab, node: 0, "itself held") { $0["held"] as? Bool == true && $0["state"] as? String == "BACKUP" }
        XCTAssertEqual(ownView["masterAddress"] as? String, "10.251.1.12", "ha1 took the VIP")
        _ = try waitForStats(lab, node: 1, "ha0 held BACKUP", \.firstPeer) {
            $0["node"] as? String == "ha0" && Self.instance(of: $0)?["held"] as? Bool == true && Self.state(of: $0) == "BACKUP"
        }
        let warnings = try XCTUnwrap(try stats(lab, node: 1)["clusterWarnings"] as? [[String: Any]])
        XCTAssertEqual(warnings.map { $0["kind"] as? String }, ["held"], "\(warnings)")
        XCTAssertEqual(warnings.first?["nodes"] as? [String], ["ha0"])
        XCTAssertEqual(
            warnings.first?["text"] as? String,
            "VI_1: ha0 is held out of the master role by vipd ctl handover: it will not take over 10.251.1.100/24 if the master fails "
                + "(vipd ctl ready on ha0 ends the hold)")

        let families = try metricsInLab(lab, node: 0)
        XCTAssertEqual(families["vipd_vrrp_held"]?.value(["instance": "VI_1"]), 1)
        XCTAssertEqual(families["vipd_cluster_warnings"]?.value(["kind": "held"]), 1)

        let status = try VipdProcess.ctl(socket: controlSocket(1, of: lab), ["status"])
        try status.requireSuccess()
        XCTAssertTrue(
            status.standardOutput.contains(
                "peer ha0 (10.251.1.11:8404)\n  VRRP VI_1: BACKUP, priority 100, master 10.251.1.12, HELD by vipd ctl handover until vipd ctl ready"),
            status.standardOutput)
        XCTAssertTrue(status.standardOutput.contains("CLUSTER WARNING VI_1: ha0 is held out of the master role"), status.standardOutput)
        if let page = try pageInLab(lab, "http://10.251.1.12:8404/", showsWarning: "held", screenshot: "stats-page-held.png") {
            XCTAssertTrue(
                (page["peerTexts"] as? [String] ?? []).contains { $0.hasPrefix("ha0") && $0.contains("HELD by vipd ctl handover") },
                "ha0's cluster row says it is held: \(page)")
        }

        let ready = try VipdProcess.ctl(socket: controlSocket(0, of: lab), ["ready"])
        XCTAssertEqual(ready.exitStatus, 0, ready.standardError + lab.logs())
        _ = try waitForStats(lab, node: 1, "ha0 no longer held", \.firstPeer) { Self.instance(of: $0)?["held"] as? Bool == false }
        let after = try XCTUnwrap(try stats(lab, node: 1)["clusterWarnings"] as? [[String: Any]])
        XCTAssertFalse(after.contains { $0["kind"] as? String == "held" }, "\(after)")
    }

    private static func instance(of peer: [String: Any]) -> [String: Any]? {
        (peer["vrrp"] as? [[String: Any]])?.first
    }

    private static func state(of peer: [String: Any]) -> String? {
        instance(of: peer)?["state"] as? String
    }

    // MARK: - Helpers

    /// Starts ha0, waits until it holds the VIP, then starts ha1 (returned); both with `stats` added
    /// to the lab's file and their own control socket (``controlSocket(_:of:)``).
    @discardableResult
    private func startPair(_ lab: VRRPLab, stats: String) throws -> VipdProcess {
        func yaml(_ node: Int) -> String {
            VRRPLab.yaml().replacingOccurrences(
                of: "global: { drain_timeout: 2s }",
                with: "global: { drain_timeout: 2s, control_socket: \(controlSocket(node, of: lab)) }") + "\n" + stats + "\n"
        }
        try lab.startVipd(0, yaml: yaml(0))
        try lab.waitForHolders([0], within: 15)
        return try lab.startVipd(1, yaml: yaml(1))
    }

    /// Loads `url` in headless Chromium run inside the lab's client namespace until the page shows
    /// the cluster warning `kind` for VI_1, and keeps its screenshot as `screenshot`. Returns the
    /// page as the browser read it; nil (nothing checked) where Chromium is not installed.
    @discardableResult
    private func pageInLab(_ lab: VRRPLab, _ url: String, showsWarning kind: String, screenshot: String) throws -> [String: Any]? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") else { return nil }
        let browser = try StatsBrowser(
            url: url, directory: lab.directory, launcher: [NetworkNamespace.ipTool.path, "netns", "exec", lab.lab.client.namespace.name])
        defer { browser.quit() }
        let shown = try browser.command("wait-warning \(kind) VI_1 30")
        XCTAssertEqual(shown["ok"] as? Bool, true, "the \(kind) warning on \(url): \(shown)\n\(browser.log)")
        try keepScreenshot(browser, screenshot)
        return shown["page"] as? [String: Any]
    }

    /// Node `node`'s `/metrics` fetched from the lab's client and read by prometheus_client's parser.
    private func metricsInLab(_ lab: VRRPLab, node: Int) throws -> [String: Family] {
        let metrics = try lab.lab.client.namespace.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            [Self.scripts.appendingPathComponent("parse_metrics.py").path, "http://\(lab.lab.nodes[node].address):8404/metrics", "-", "-"],
            timeout: .seconds(30))
        try metrics.requireSuccess()
        return try Self.families(from: metrics.standardOutput)
    }

    /// Node `node`'s control socket in a lab started by ``startPair(_:stats:)``.
    private func controlSocket(_ node: Int, of lab: VRRPLab) -> String {
        lab.directory.file("control-ha\(node).sock").path
    }

    /// `/stats.json` of node `node`, fetched from the lab's client.
    private func stats(_ lab: VRRPLab, node: Int) throws -> [String: Any] {
        let output = try lab.lab.client.namespace.run(
            URL(fileURLWithPath: "/usr/bin/curl"),
            ["--silent", "--fail", "--max-time", "10", "--user", "admin:same on both", "http://\(lab.lab.nodes[node].address):8404/stats.json"],
            timeout: .seconds(20))
        try output.requireSuccess()
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
    }

    /// The part of node `node`'s `/stats.json` that `part` picks (its first VRRP instance unless
    /// told), once `condition` holds (bounded: 20 s).
    private func waitForStats(
        _ lab: VRRPLab, node: Int, _ what: String, _ part: ([String: Any]) -> [String: Any] = \.firstInstance,
        _ condition: ([String: Any]) -> Bool
    ) throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(20)
        var picked: [String: Any] = [:]
        while Date() < deadline {
            picked = (try? stats(lab, node: node)).map(part) ?? [:]
            if condition(picked) { return picked }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("ha\(node) never showed \(what): \(picked)\n\(lab.logs())")
        return picked
    }

    /// One parsed family: its type and samples.
    struct Family {
        var type: String
        var samples: [(name: String, labels: [String: String], value: Double)]

        /// The value of the sample named `sample` (default: the first sample's name) with exactly `labels`.
        func value(_ labels: [String: String], sample: String? = nil) -> Double? {
            samples.first { ($0.name == sample || sample == nil) && $0.labels == labels }?.value
        }
    }

    private static func parseMetrics(url: String, user: String, password: String) throws -> [String: Family] {
        let output = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/python3"),
            arguments: [scripts.appendingPathComponent("parse_metrics.py").path, url, user, password], timeout: .seconds(30))
        try output.requireSuccess()
        return try families(from: output.standardOutput)
    }

    private static func families(from json: String) throws -> [String: Family] {
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: [String: Any]])
        return object.mapValues { family in
            let samples = (family["samples"] as? [[Any]] ?? []).map { sample in
                (name: sample[0] as? String ?? "", labels: sample[1] as? [String: String] ?? [:],
                 value: (sample[2] as? NSNumber)?.doubleValue ?? .nan)
            }
            return Family(type: family["type"] as? String ?? "", samples: samples)
        }
    }
}

/// `stats_browser.py` driving headless Chromium: one page load, then commands answered as JSON lines.
private final class StatsBrowser {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let logURL: URL
    private var buffer = Data()

    /// Chromium on `url`, started through `launcher` (e.g. `ip netns exec NS`) when given.
    init(url: String, directory: LabDirectory, launcher: [String] = []) throws {
        let profile = directory.file("chromium-profile")
        try FileManager.default.createDirectory(at: profile, withIntermediateDirectories: true)
        logURL = directory.file("chromium.log")
        let command = launcher + [
            "/usr/bin/python3", URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("stats_browser.py").path,
            url, profile.path, logURL.path,
        ]
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    /// Chromium's own output, for failure messages.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Sends one command and waits (bounded: 90 s, above every wait the script does) for its JSON answer.
    func command(_ line: String) throws -> [String: Any] {
        input.fileHandleForWriting.write(Data((line + "\n").utf8))
        let deadline = Date().addingTimeInterval(90)
        while !buffer.contains(UInt8(ascii: "\n")) {
            // Each read returns when the script writes or exits; the script bounds all its waits.
            let chunk = Date() < deadline ? output.fileHandleForReading.availableData : Data()
            guard !chunk.isEmpty else {
                throw LabError.unexpectedOutput(command: "stats_browser.py \(line)", output: "no answer\n\(log)")
            }
            buffer += chunk
        }
        let newline = buffer.firstIndex(of: UInt8(ascii: "\n"))!
        let answer = buffer[..<newline]
        buffer = Data(buffer[(newline + 1)...])
        guard let object = try JSONSerialization.jsonObject(with: answer) as? [String: Any] else {
            throw LabError.unexpectedOutput(command: "stats_browser.py \(line)", output: String(decoding: answer, as: UTF8.self))
        }
        return object
    }

    /// Ends the script (which stops Chromium), by pid if it does not leave within 15 s.
    func quit() {
        input.fileHandleForWriting.write(Data("quit\n".utf8))
        let deadline = Date().addingTimeInterval(15)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        if process.isRunning { process.terminate() }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// The first VRRP instance of a `/stats.json` object.
    fileprivate var firstInstance: [String: Any] { (self["vrrp"] as? [[String: Any]])?.first ?? [:] }
    /// The first peer of a `/stats.json` object.
    fileprivate var firstPeer: [String: Any] { (self["peers"] as? [[String: Any]])?.first ?? [:] }
}
