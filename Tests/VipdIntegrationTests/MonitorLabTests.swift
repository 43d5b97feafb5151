import Foundation
import VipdLab
import XCTest

/// `vipd monitor` and the daemon's monitor in the namespace lab: a vipd pair, an nftables rule
/// dropping VRRP on the backup, and a third host watching.
final class MonitorLabTests: XCTestCase {
    private var lab: VRRPLab?
    private var monitors: [ChildProcess] = []

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
    }

    override func tearDown() {
        for monitor in monitors { monitor.terminate(grace: .seconds(5)) }
        monitors = []
        lab?.tearDown()
        lab = nil
    }

    /// Starts `vipd monitor --json` with `arguments` on the client host; its output goes to a file.
    private func startMonitor(_ lab: VRRPLab, name: String, arguments: [String]) throws -> (ChildProcess, URL) {
        let output = lab.directory.file("\(name).jsonl")
        let process = try ChildProcess.spawn(
            NetworkNamespace.ipTool,
            arguments: ["netns", "exec", lab.lab.client.namespace.name, VipdProcess.binary.path, "monitor", "--json"] + arguments,
            appendingOutputTo: output)
        monitors.append(process)
        return (process, output)
    }

    /// The JSON objects the monitor has written so far.
    private func objects(in output: URL) -> [[String: Any]] {
        let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func testThirdHostNamesSplitBrainSoonAfterMasterDownIntervalAndTheDaemonNamesItsFirewall() throws {
        let lab = try VRRPLab()
        self.lab = lab
        try lab.startVipd(0)
        try lab.startVipd(1)
        try lab.waitForHolders([0], within: 15)

        let (watcher, output) = try startMonitor(lab, name: "monitor-split", arguments: ["--interface", "eth0", "--duration", "30"])
        // The monitor sees the healthy group first.
        let healthyDeadline = Date().addingTimeInterval(10)
        while !objects(in: output).contains(where: { $0["event"] as? String == "master" }), Date() < healthyDeadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertTrue(objects(in: output).contains { $0["event"] as? String == "master" && $0["to"] as? String == "10.251.1.11" },
            "monitor output:\n\((try? String(contentsOf: output, encoding: .utf8)) ?? "")")

        // ha1 (priority 50, VRRPv3, 1 s): Master_Down_Interval = 3 s + 206 × 100 / 256 cs = 3.8 s.
        // The target is Master_Down_Interval + 1 s (printed below: 3.7-4.0 s in CI runs); the test
        // allows 5 s more than the interval, so that a loaded machine does not fail it.
        let masterDownInterval = 3.8
        let bound = masterDownInterval + 5
        try lab.lab.dropVRRP(on: lab.lab.nodes[1])
        let dropped = Date()
        var splitBrain: [String: Any]?
        while splitBrain == nil, Date().timeIntervalSince(dropped) < bound {
            splitBrain = objects(in: output).first { $0["event"] as? String == "finding" && $0["kind"] as? String == "split-brain" }
            if splitBrain == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let finding = try XCTUnwrap(
            splitBrain,
            "no split brain within \(bound) s of the drop; monitor output:\n"
                + ((try? String(contentsOf: output, encoding: .utf8)) ?? "") + "\n" + lab.logs())
        print("split brain reported \(String(format: "%.2f", Date().timeIntervalSince(dropped))) s after the nftables drop (target \(masterDownInterval + 1) s)")
        let summary = try XCTUnwrap(finding["summary"] as? String)
        XCTAssertTrue(summary.contains("10.251.1.12 never hears 10.251.1.11 — a firewall on 10.251.1.12 drops IP protocol 112"), summary)
        // The third host cannot read ha1's ruleset: it says where to run the walker that can.
        XCTAssertEqual(finding["fix"] as? String, "run `vipd doctor` on 10.251.1.12 — it names the rule that drops protocol 112")

        // The daemon on ha1 sees the peer's adverts on the wire but not on its VRRP socket.
        let ha1 = try XCTUnwrap(lab.vipdProcess(1))
        try ha1.waitForLog(containing: "ONE-SIDED VISIBILITY on eth0 VRID 51: advertisements from 10.251.1.11 (ha0)", timeout: 10)
        // ha1's vipd reads its own ruleset: the fix names the table and chain that really drop
        // (the lab's `inet vipdlab`, where no `inet filter` table exists) and fixes it there.
        let named = try XCTUnwrap(
            ha1.log.split(separator: "\n").first { $0.contains("ONE-SIDED VISIBILITY") }, ha1.log)
        XCTAssertTrue(
            named.contains("fix: protocol 112 from 10.251.1.11 to 224.0.0.18 on eth0 is dropped on this node by a drop rule: nftables inet vipdlab input handle "),
            String(named))
        XCTAssertTrue(named.contains("— nft insert rule inet vipdlab input position "), String(named))
        XCTAssertFalse(ha1.log.contains("inet filter"), ha1.log)
        let ha0 = try XCTUnwrap(lab.vipdProcess(0))
        XCTAssertFalse(ha0.log.contains("ONE-SIDED VISIBILITY"), "ha0 hears its peer:\n\(ha0.log)")

        // Removing the rule heals it: one master again, and the findings clear.
        try lab.lab.allowVRRP(on: lab.lab.nodes[1])
        try lab.waitForHolders([0], within: 10)
        try ha1.waitForLog(containing: "monitor: cleared one-sided-visibility", timeout: 10)
        let clearDeadline = Date().addingTimeInterval(10)
        while !objects(in: output).contains(where: { $0["event"] as? String == "cleared" && $0["kind"] as? String == "split-brain" }),
            Date() < clearDeadline
        {
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertTrue(objects(in: output).contains { $0["event"] as? String == "cleared" && $0["kind"] as? String == "split-brain" })
        watcher.send(SIGINT)
        XCTAssertEqual(watcher.waitForExit(within: .seconds(10)), 2, "a run with findings exits 2")
        let end = try XCTUnwrap(objects(in: output).last)
        XCTAssertEqual(end["event"] as? String, "summary")
        XCTAssertEqual(end["healthy"] as? Bool, false)

        // A fresh run on the healed segment is healthy.
        let (healthy, healthyOutput) = try startMonitor(lab, name: "monitor-healthy", arguments: ["--interface", "eth0", "--duration", "6"])
        XCTAssertEqual(healthy.waitForExit(within: .seconds(20)), 0, (try? String(contentsOf: healthyOutput, encoding: .utf8)) ?? "")
        let healthySummary = try XCTUnwrap(objects(in: healthyOutput).last)
        XCTAssertEqual(healthySummary["healthy"] as? Bool, true)
        XCTAssertEqual((healthySummary["findings"] as? [Any])?.count, 0)
        XCTAssertEqual(((healthySummary["capture"] as? [[String: Any]])?.first)?["dropped_by_kernel"] as? Int, 0)
    }
}
