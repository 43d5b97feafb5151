import Foundation
import VipdSystem
import XCTest

/// Processes by name: `/proc/PID/stat` and `cmdline` as the kernel writes them, and the /proc scan.
final class ProcessEntryTests: XCTestCase {
    private func stat(_ text: String) -> ProcessEntry? { ProcessEntry(stat: Array(text.utf8)) }

    func testStatGivesTheNameAndState() {
        XCTAssertEqual(
            stat("1234 (nginx) S 1 1234 1234 0 -1 4194624 1 0 0 0 0 0 0 0 20 0 1 0 42 1 1 18446744073709551615\n"),
            ProcessEntry(comm: "nginx", state: UInt8(ascii: "S")))
        XCTAssertEqual(stat("7 (Web Content) R 1"), ProcessEntry(comm: "Web Content", state: UInt8(ascii: "R")))
        XCTAssertEqual(stat("8 (a) (b)) Z 1"), ProcessEntry(comm: "a) (b)", state: UInt8(ascii: "Z")), "the name ends at the last )")
        XCTAssertEqual(stat("9 () S 1"), ProcessEntry(comm: "", state: UInt8(ascii: "S")))
    }

    func testMalformedStatIsNoProcess() {
        for text in ["", "1234", "1234 (nginx", "1234 nginx) S", "1234 (nginx)", "1234 (nginx) ", "1234 (nginx)S 1", ")( S"] {
            XCTAssertNil(stat(text), text)
        }
    }

    func testTheFirstWordOfTheCommandLine() {
        XCTAssertEqual(ProcessEntry.firstWord(commandLine: Array("/usr/sbin/sshd\0-D\0".utf8)), "/usr/sbin/sshd")
        XCTAssertEqual(ProcessEntry.firstWord(commandLine: Array("nginx: master process /usr/sbin/nginx".utf8)), "nginx:")
        XCTAssertEqual(ProcessEntry.firstWord(commandLine: Array("vipd-test-app\0600\0".utf8)), "vipd-test-app")
        XCTAssertNil(ProcessEntry.firstWord(commandLine: []))
        XCTAssertNil(ProcessEntry.firstWord(commandLine: [0, 65]))
    }

    func testANameMatchesTheNameOrTheCommand() {
        let copy = ProcessEntry(comm: "vipd-test-app", state: UInt8(ascii: "S"), firstWord: "/tmp/x/vipd-test-app")
        XCTAssertTrue(copy.isNamed("vipd-test-app"))
        XCTAssertTrue(copy.isNamed("/tmp/x/vipd-test-app"))
        XCTAssertFalse(copy.isNamed("x/vipd-test-app"), "a name with a / matches the whole command only")
        XCTAssertFalse(copy.isNamed("test-app"))
        let renamed = ProcessEntry(comm: "sleep", state: UInt8(ascii: "S"), firstWord: "vipd-test-app")
        XCTAssertTrue(renamed.isNamed("vipd-test-app"))
        XCTAssertTrue(renamed.isNamed("sleep"))
        XCTAssertFalse(ProcessEntry(comm: "sleep", state: UInt8(ascii: "S")).isNamed("vipd-test-app"))
        XCTAssertFalse(ProcessEntry(comm: "app", state: UInt8(ascii: "Z"), firstWord: "app").isNamed("app"), "a zombie has ended")
        XCTAssertFalse(ProcessEntry(comm: "app", state: UInt8(ascii: "X")).isNamed("app"))
        XCTAssertFalse(ProcessEntry(comm: "", state: UInt8(ascii: "S")).isNamed(""))
    }

    /// A made-up /proc: processes, a zombie, a vanished one, kernel threads and other entries.
    func testCountingInAProcTree() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-proc-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func process(_ pid: String, stat: String?, cmdline: String?) throws {
            let directory = root.appendingPathComponent(pid)
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try stat?.write(to: directory.appendingPathComponent("stat"), atomically: true, encoding: .utf8)
            try cmdline?.write(to: directory.appendingPathComponent("cmdline"), atomically: true, encoding: .utf8)
        }
        try process("100", stat: "100 (nginx) S 1", cmdline: "nginx: master process\0")
        try process("101", stat: "101 (nginx) S 100", cmdline: "nginx: worker process\0")
        try process("102", stat: "102 (nginx) Z 100", cmdline: "")
        try process("200", stat: "200 (sleep) S 1", cmdline: "vipd-test-app\u{0}600\u{0}")
        try process("300", stat: "300 (kthreadd) S 0", cmdline: "")
        try process("400", stat: nil, cmdline: nil)  // gone while read
        try process("self", stat: "1 (nginx) S 0", cmdline: "")
        try process("0", stat: "0 (nginx) S 0", cmdline: "")
        try "x".write(to: root.appendingPathComponent("uptime"), atomically: true, encoding: .utf8)
        XCTAssertEqual(
            ProcessCounter.count(["nginx", "vipd-test-app", "haproxy"], procRoot: root.path),
            ["nginx": 2, "vipd-test-app": 1, "haproxy": 0])
        XCTAssertEqual(ProcessCounter.count([], procRoot: root.path), [:])
        XCTAssertNil(ProcessCounter.count(["nginx"], procRoot: root.appendingPathComponent("missing").path))
    }

    /// The real /proc: a `sleep` started as `vipd-test-app` by `exec -a` counts under that name.
    func testCountingARealProcessStartedUnderAnotherName() throws {
        let name = "vipd-test-\(UInt16.random(in: 1000...9999))"
        XCTAssertEqual(ProcessCounter.count([name])?[name], 0)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec -a \(name) sleep 30"]
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        let deadline = ContinuousClock.now + .seconds(10)
        while ProcessCounter.count([name])?[name] != 1 && ContinuousClock.now < deadline { usleep(50_000) }
        XCTAssertEqual(ProcessCounter.count([name, "sleep"])?[name], 1)
        XCTAssertGreaterThanOrEqual(ProcessCounter.count([name, "sleep"])?["sleep"] ?? 0, 1)
    }
}
