import Foundation
import VipdLab
import XCTest

/// `vipd demo` as a user runs it: the real binary, the whole story in network namespaces, every
/// step's verified result in its output, and nothing left behind — after a pass and after Ctrl-C.
final class DemoCommandTests: XCTestCase {
    private var directory: LabDirectory?

    override func setUpWithError() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        if !SSHDaemon.isAvailable { throw XCTSkip("OpenSSH sshd/ssh not installed (apt-get install openssh-server openssh-client)") }
        if !FileManager.default.isExecutableFile(atPath: ClusterLab.nft.path) { throw XCTSkip("nftables not installed (apt-get install nftables)") }
        directory = try LabDirectory(prefix: "vipd-demo-test")
    }

    override func tearDown() {
        directory?.remove()
    }

    /// Starts `vipd demo` with standard output and error in one file.
    private func startDemo() throws -> (ChildProcess, URL) {
        let output = directory!.file("demo.out")
        return (try ChildProcess.spawn(VipdProcess.binary, arguments: ["demo"], appendingOutputTo: output), output)
    }

    private func text(_ output: URL) -> String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// The demo's lab directory, as its setup line names it.
    private func labDirectory(in output: String) throws -> String {
        let match = try XCTUnwrap(output.firstMatch(of: /lab files in (\/tmp\/vipd-demo\.[A-Za-z0-9]+),/), output)
        return String(match.1)
    }

    /// No namespace named after the demo's pid, no process whose command line names its lab
    /// directory (every sshd, vipd, monitor and ssh it starts does), and the directory itself gone.
    private func assertNothingLeft(pid: pid_t, labDirectory: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let namespaces = try ProcessRunner.run(NetworkNamespace.ipTool, arguments: ["netns", "list"], timeout: .seconds(10))
        XCTAssertFalse(
            namespaces.standardOutput.contains("vipd-\(pid)-"), "namespaces left:\n\(namespaces.standardOutput)", file: file, line: line)
        XCTAssertFalse(FileManager.default.fileExists(atPath: labDirectory), "\(labDirectory) left", file: file, line: line)
        let survivors = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter { $0.allSatisfy(\.isNumber) }
            .compactMap { process -> String? in
                guard let data = FileManager.default.contents(atPath: "/proc/\(process)/cmdline") else { return nil }
                let command = String(decoding: data.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
                return command.contains(labDirectory) ? "\(process): \(command)" : nil
            }
        XCTAssertEqual(survivors, [], "processes of the demo survive", file: file, line: line)
    }

    func testEveryStepDoesWhatItSaysAndNothingIsLeftBehind() throws {
        let (demo, output) = try startDemo()
        defer { demo.terminate(grace: .seconds(30)) }
        // The story takes about a minute; bounded at ten times that.
        let status = demo.waitForExit(within: .seconds(600))
        let printed = text(output)
        XCTAssertEqual(status, 0, printed)
        for expected in [
            "ok: ha0 holds 10.251.1.100 and ha1 does not",
            "ok: ha1 took over",
            "then every login was served by ha1",
            "ok: ha0 holds the VIP again and logins alternate: ",
            "monitor: SPLIT BRAIN on ",
            "a firewall on 10.251.1.12 (ha1) drops IP protocol 112",
            "fix: run `vipd doctor` on 10.251.1.12 (ha1) — it names the rule that drops protocol 112",
            "ha1's own vipd: error monitor: ONE-SIDED VISIBILITY",
            "monitor: cleared split-brain",
            "ok: one master again (ha0)",
            "demo passed: every step did what it said",
        ] {
            XCTAssertTrue(printed.contains(expected), "missing \"\(expected)\" in:\n\(printed)")
        }
        XCTAssertEqual(printed.matches(of: /ok: logins alternate: (ha0, ha1|ha1, ha0), (ha0, ha1|ha1, ha0)\n/).count, 1, printed)
        XCTAssertEqual(printed.matches(of: /login \d -> served by ha1 \(sshd on 10.251.1.12:22\)/).count >= 6, true, printed)
        let gap = try XCTUnwrap(printed.firstMatch(of: /gap: new connections to the VIP failed for (\d+) ms after the cut/), printed)
        print("vipd demo: failover gap \(gap.1) ms")
        try assertNothingLeft(pid: demo.pid, labDirectory: try labDirectory(in: printed))
    }

    func testCtrlCInTheMiddleCleansUpAndExits130() throws {
        let (demo, output) = try startDemo()
        defer { demo.terminate(grace: .seconds(30)) }
        let deadline = ContinuousClock.now + .seconds(300)
        while !text(output).contains("[2/6]"), demo.isRunning, ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertTrue(text(output).contains("[2/6]"), text(output))
        demo.send(SIGINT)
        let status = demo.waitForExit(within: .seconds(120))
        let printed = text(output)
        XCTAssertEqual(status, 130, printed)
        XCTAssertTrue(printed.contains("vipd demo: interrupted; everything it started is stopped and removed"), printed)
        XCTAssertFalse(printed.contains("demo passed"), printed)
        try assertNothingLeft(pid: demo.pid, labDirectory: try labDirectory(in: printed))
    }
}
