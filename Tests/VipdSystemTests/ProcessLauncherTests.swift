import Foundation
import VipdSystem
import XCTest

/// vipd's one launcher of child processes, on real programs: arguments without a shell, standard
/// input from bytes, captured output and error, the exit status and the timeout.
final class ProcessLauncherTests: XCTestCase {
    func testArgumentsReachTheProgramAsTheyAreWithoutAShell() async {
        let outcome = await ProcessLauncher("/bin/sh", arguments: ["-c", "printf '%s|%s' \"$0\" \"$1\"", "a b", "$HOME; exit 3"], timeout: .seconds(30)).run()
        XCTAssertEqual(outcome, ProcessOutcome(end: .exited(0), standardOutput: "a b|$HOME; exit 3"))
    }

    func testStandardInputIsTheGivenBytes() async {
        // More than a pipe holds (64 KiB), in case the program writes before it has read it all.
        let input = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let outcome = await ProcessLauncher("/bin/cat", input: input, timeout: .seconds(30)).run()
        XCTAssertEqual(outcome.end, .exited(0))
        XCTAssertEqual(outcome.standardOutput, String(decoding: input, as: UTF8.self))
        let text = await ProcessLauncher("/bin/cat", input: Array("one\ntwo\n".utf8), timeout: .seconds(30)).run()
        XCTAssertEqual(text.standardOutput, "one\ntwo\n")
    }

    func testWithoutInputStandardInputIsNull() async {
        let outcome = await ProcessLauncher("/bin/sh", arguments: ["-c", "readlink /proc/$$/fd/0; cat"], timeout: .seconds(30)).run()
        XCTAssertEqual(outcome, ProcessOutcome(end: .exited(0), standardOutput: "/dev/null\n"))
    }

    func testOutputAndErrorAreCapturedApartWithTheExitStatus() async {
        let outcome = await ProcessLauncher("/bin/sh", arguments: ["-c", "echo out; echo err >&2; echo more; exit 7"], timeout: .seconds(30)).run()
        XCTAssertEqual(outcome, ProcessOutcome(end: .exited(7), standardOutput: "out\nmore\n", standardError: "err\n"))
    }

    func testUncapturedOutputGoesToNull() async {
        let outcome = await ProcessLauncher(
            "/bin/sh", arguments: ["-c", "[ \"$(readlink /proc/$$/fd/1)\" = /dev/null ] && [ \"$(readlink /proc/$$/fd/2)\" = /dev/null ] && echo out"],
            capturesOutput: false, timeout: .seconds(30)
        ).run()
        XCTAssertEqual(outcome, ProcessOutcome(end: .exited(0)))
    }

    func testAProgramOutlivingItsTimeoutIsKilledAndWhatItPrintedKept() async {
        let started = ContinuousClock.now
        let outcome = await ProcessLauncher("/bin/sh", arguments: ["-c", "echo before; exec sleep 60"], timeout: .milliseconds(300)).run()
        XCTAssertEqual(outcome, ProcessOutcome(end: .timedOut(.milliseconds(300)), standardOutput: "before\n"))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(30), "killed at its timeout, not waited for")
    }

    func testNoDescriptorIsHeldOnceTheProgramEndedThoughItsTimeoutIsFarOff() async throws {
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        for _ in 0..<20 {
            let outcome = await ProcessLauncher("/bin/cat", input: [1, 2, 3], timeout: .seconds(600)).run()
            XCTAssertEqual(outcome.end, .exited(0))
        }
        let after = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        XCTAssertLessThan(after - before, 20, "the two output files of each run would be 40 more")
    }

    func testAMissingProgramIsNotStarted() async {
        let outcome = await ProcessLauncher("/nonexistent/program", timeout: .seconds(30)).run()
        guard case .notStarted(let reason) = outcome.end else { return XCTFail("\(outcome)") }
        XCTAssertTrue(reason.contains("/nonexistent/program"), reason)
    }

    func testTheBlockingRunWaitsOnTheCallersThreadWithTheSameOutcome() {
        let passed = ProcessLauncher("/bin/cat", input: Array("bytes".utf8), timeout: .seconds(30)).runBlockingThisThread()
        XCTAssertEqual(passed, ProcessOutcome(end: .exited(0), standardOutput: "bytes"))
        let killed = ProcessLauncher("/bin/sleep", arguments: ["60"], timeout: .milliseconds(300)).runBlockingThisThread()
        XCTAssertEqual(killed.end, .timedOut(.milliseconds(300)))
        let missing = ProcessLauncher("/nonexistent/program", timeout: .seconds(30)).runBlockingThisThread()
        guard case .notStarted = missing.end else { return XCTFail("\(missing)") }
    }
}
