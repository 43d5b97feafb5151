import Foundation
import VipdCore
import VipdLab
import XCTest

/// Failover as a client sees it, vipd pair vs keepalived + haproxy pair in the same lab and run
/// (issue 3's benchmark). Run by hand through `bench/failover.sh` (it sets VIPD_BENCH=1); skipped
/// otherwise. Prints a table and writes it to $VIPD_BENCH_OUT when set.
final class FailoverBenchmark: XCTestCase {
    /// One pair's figures, in seconds (nil: did not happen within the bound).
    struct Figures {
        var gracefulGap: Double?
        var cutLinkUntilAllSucceed: Double?
        /// Of an echo session's 50 lines (one every 200 ms) through the master, those that arrived across its graceful stop.
        var echoLinesKept: Double?
        /// That session's longest silence: between two lines, or from its last line until it ended (or 20 s passed).
        var echoLongestGap: Double?
        /// After SIGKILL of the master's proxy (haproxy for the pair), until the ssh session through it ends.
        var killedSessionEnd: Double?
        var splitBrainHeal: Double?
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["VIPD_BENCH"] == "1", "benchmark: run bench/failover.sh")
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        try XCTSkipUnless(KeepalivedProcess.isAvailable, "keepalived not installed")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/sbin/haproxy"), "haproxy not installed")
    }

    func testFailoverVipdVersusKeepalivedAndHAProxy() throws {
        let interval = ProcessInfo.processInfo.environment["VIPD_BENCH_INTERVAL"] ?? "1s"
        let vipd = try measure(pair: .vipd, interval: interval)
        let incumbent = try measure(pair: .incumbent, interval: interval)
        func cell(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "> bound" }
        func ratio(_ ours: Double?, _ theirs: Double?) -> String {
            guard let ours, let theirs, theirs > 0 else { return "n/a" }
            return String(format: "%.3f", ours / theirs)
        }
        let rows: [(String, Double?, Double?)] = [
            ("graceful stop: longest gap", vipd.gracefulGap, incumbent.gracefulGap),
            ("cut link: until every new connection succeeds", vipd.cutLinkUntilAllSucceed, incumbent.cutLinkUntilAllSucceed),
            ("graceful stop: echo session lines kept (of 50)", vipd.echoLinesKept, incumbent.echoLinesKept),
            ("graceful stop: echo session's longest silence", vipd.echoLongestGap, incumbent.echoLongestGap),
            ("kill -9 of the master's proxy: its ssh session ends after", vipd.killedSessionEnd, incumbent.killedSessionEnd),
            ("split brain healed to one master", vipd.splitBrainHeal, incumbent.splitBrainHeal),
        ]
        var table = "| advert \(interval) (seconds, or lines) | vipd | keepalived + haproxy | vipd/incumbent |\n|---|---|---|---|\n"
        for (name, ours, theirs) in rows {
            table += "| \(name) | \(cell(ours)) | \(cell(theirs)) | \(ratio(ours, theirs)) |\n"
        }
        print(table)
        if let out = ProcessInfo.processInfo.environment["VIPD_BENCH_OUT"] {
            try table.write(toFile: out, atomically: true, encoding: .utf8)
        }
    }

    enum Pair { case vipd, incumbent }

    /// Builds a fresh lab for each scenario so they do not disturb each other.
    private func measure(pair: Pair, interval: String) throws -> Figures {
        var figures = Figures()
        figures.gracefulGap = try scenario(pair, interval) { lab, pairs in
            let probe = lab.probeLoop(every: .milliseconds(10))
            probe.start()
            Thread.sleep(forTimeInterval: 1)
            pairs.gracefulStop(0)
            try lab.waitForHolders([1], within: 15)
            Thread.sleep(forTimeInterval: 3)
            return Self.longestGap(probe.stop())
        }
        figures.cutLinkUntilAllSucceed = try scenario(pair, interval) { lab, _ in
            let probe = lab.probeLoop(every: .milliseconds(10))
            probe.start()
            Thread.sleep(forTimeInterval: 1)
            let cut = ContinuousClock.now
            try lab.lab.cutLink(lab.lab.nodes[0])
            Thread.sleep(forTimeInterval: 15)
            let outcomes = probe.stop()
            guard let last = outcomes.last(where: { !$0.succeeded && $0.at > cut }) else { return 0 }
            return (last.at - cut).timeInterval
        }
        let echo = try scenario(pair, interval) { lab, pairs -> (kept: Double, gap: Double?)? in
            let session = try lab.client.startTimedSession(
                host: VRRPLab.vip, port: 22, command: "for i in $(seq 1 50); do echo $i; sleep 0.2; done",
                namespace: lab.lab.client.namespace, errorLog: lab.directory.file("bench-echo.err"))
            defer { session.terminate(grace: .seconds(1)) }
            Thread.sleep(forTimeInterval: 2)
            pairs.gracefulStop(0)
            try lab.waitForHolders([1], within: 15)
            _ = session.waitForExit(within: .seconds(20))
            // The session ended (or the wait did): a hang counts as silence up to here.
            let ended = ContinuousClock.now
            let lines = session.lines
            let kept = zip(lines.map(\.text), (1...50).map(String.init)).prefix { $0 == $1 }.count
            let between = TimedLinesProcess.longestGap(in: lines).map { $0.gap.timeInterval } ?? 0
            let afterLast = lines.last.map { (ended - $0.at).timeInterval } ?? 0
            return (Double(kept), max(between, afterLast))
        }
        figures.echoLinesKept = echo?.kept
        figures.echoLongestGap = echo?.gap
        figures.killedSessionEnd = try scenario(pair, interval) { lab, pairs in
            let session = try lab.client.startSession(
                host: VRRPLab.vip, port: 22, command: "sleep 120", namespace: lab.lab.client.namespace,
                log: lab.directory.file("bench-idle.log"))
            defer { session.terminate(grace: .seconds(1)) }
            Thread.sleep(forTimeInterval: 2)
            let killed = Date()
            pairs.killProxy(0)
            guard session.waitForExit(within: .seconds(20)) != nil else { return nil }
            return Date().timeIntervalSince(killed)
        }
        figures.splitBrainHeal = try scenario(pair, interval) { lab, _ in
            try lab.lab.dropVRRP(on: lab.lab.nodes[1])
            try lab.waitForHolders([0, 1], within: 15)
            try lab.lab.allowVRRP(on: lab.lab.nodes[1])
            let healed = Date()
            try lab.waitForHolders([0], within: 30)
            return Date().timeIntervalSince(healed)
        }
        return figures
    }

    /// Runs `body` in a fresh lab with `pair` started on both nodes and ha0 holding the VIP.
    private func scenario<Result>(_ pair: Pair, _ interval: String, _ body: (VRRPLab, PairControl) throws -> Result?) throws -> Result? {
        let lab = try VRRPLab()
        let control = PairControl(lab: lab, pair: pair, interval: interval)
        defer {
            control.stopAll()
            lab.tearDown()
        }
        try control.startBoth()
        try lab.waitForHolders([0], within: 15)
        Thread.sleep(forTimeInterval: 3)
        return try body(lab, control)
    }

    /// The longest run of failed probes, from its first failure to the next success.
    static func longestGap(_ outcomes: [BannerProbeLoop.Outcome]) -> Double {
        var longest = 0.0
        var gapStart: ContinuousClock.Instant?
        for outcome in outcomes {
            if !outcome.succeeded {
                if gapStart == nil { gapStart = outcome.at }
            } else if let start = gapStart {
                longest = max(longest, (outcome.at - start).timeInterval)
                gapStart = nil
            }
        }
        return longest
    }
}

/// Starts and stops one kind of pair on the lab's two nodes with the same settings: priorities
/// 100/50, advert interval, checks every 2 s with fall 3 / rise 2.
final class PairControl: @unchecked Sendable {
    let lab: VRRPLab
    let pair: FailoverBenchmark.Pair
    let interval: String
    private var keepalived: [Int: KeepalivedProcess] = [:]
    private var haproxy: [Int: ChildProcess] = [:]

    init(lab: VRRPLab, pair: FailoverBenchmark.Pair, interval: String) {
        self.lab = lab
        self.pair = pair
        self.interval = interval
    }

    private var version: Int { interval.hasSuffix("ms") ? 3 : 2 }

    func startBoth() throws {
        for index in 0..<2 { try start(index) }
    }

    func start(_ index: Int) throws {
        switch pair {
        case .vipd:
            let yaml = VRRPLab.yaml(version: 3, interval: interval, check: "interval: 2s, timeout: 2s, fall: 3, rise: 2")
            try lab.startVipd(index, yaml: yaml)
        case .incumbent:
            let node = lab.lab.nodes[index]
            try node.namespace.run(URL(fileURLWithPath: "/usr/sbin/sysctl"), ["-w", "net.ipv4.ip_nonlocal_bind=1"])
            let config = lab.directory.file("\(node.name).haproxy.cfg")
            try """
                global
                    maxconn 2000
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 1h
                    timeout server 1h
                frontend ssh_front
                    bind \(VRRPLab.vip):22
                    default_backend ssh_back
                backend ssh_back
                    balance roundrobin
                    option tcp-check
                    tcp-check connect port 22
                    tcp-check expect rstring ^SSH-
                    server ha0 10.251.1.11:22 check inter 2s fall 3 rise 2
                    server ha1 10.251.1.12:22 check inter 2s fall 3 rise 2

                """.write(to: config, atomically: true, encoding: .utf8)
            haproxy[index] = try ChildProcess.spawn(
                NetworkNamespace.ipTool, arguments: ["netns", "exec", node.namespace.name, "/usr/sbin/haproxy", "-db", "-f", config.path],
                appendingOutputTo: lab.directory.file("\(node.name).haproxy.log"))
            let seconds = interval.hasSuffix("ms") ? String(Double(interval.dropLast(2))! / 1000) : String(interval.dropLast())
            keepalived[index] = try KeepalivedProcess(
                name: node.name,
                config: KeepalivedProcess.config(
                    routerName: node.name, priority: index == 0 ? 100 : 50, version: version, password: nil,
                    virtualAddress: "\(VRRPLab.vip)/24", advertInterval: seconds),
                namespace: node.namespace, directory: lab.directory)
        }
    }

    /// The admin's planned stop of the VIP holder's failover daemon (vipd, or keepalived).
    func gracefulStop(_ index: Int) {
        switch pair {
        case .vipd: lab.vipdProcess(index)?.signal(SIGTERM)
        case .incumbent: keepalived[index]?.stop()
        }
    }

    /// SIGKILL of the process that proxies the node's connections: vipd, or the pair's haproxy.
    func killProxy(_ index: Int) {
        switch pair {
        case .vipd: lab.vipdProcess(index)?.signal(SIGKILL)
        case .incumbent: haproxy[index]?.send(SIGKILL)
        }
    }

    func stopAll() {
        keepalived.values.forEach { $0.stop() }
        haproxy.values.forEach { $0.terminate(grace: .seconds(5)) }
    }
}
