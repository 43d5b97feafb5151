import Foundation
import VipdLab
import VipdSystem
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The one launcher of track scripts, notify commands and exec checks, on the real /bin/sh.
final class ShellCommandTests: XCTestCase {
    private var directory: LabDirectory!

    override func setUpWithError() throws { directory = try LabDirectory(prefix: "vipd-shell") }
    override func tearDown() { directory.remove() }

    func testExitStatusZeroIsTheOnlySuccess() async {
        let passed = await ShellCommand.run("exit 0", timeout: .seconds(30))
        XCTAssertEqual(passed, .exited(0))
        XCTAssertTrue(passed.succeeded)
        XCTAssertEqual(passed.description, "exit status 0")
        let failed = await ShellCommand.run("echo noise; echo more >&2; exit 1", timeout: .seconds(30))
        XCTAssertEqual(failed, .exited(1))
        XCTAssertFalse(failed.succeeded)
        XCTAssertEqual(failed.description, "exit status 1")
        let high = await ShellCommand.run("exit 200", timeout: .seconds(30))
        XCTAssertEqual(high, .exited(200))
    }

    func testSignalEndingTheCommandIsNamed() async {
        let end = await ShellCommand.run("kill -TERM $$; sleep 30", timeout: .seconds(30))
        XCTAssertEqual(end, .signalled(SIGTERM))
        XCTAssertFalse(end.succeeded)
        XCTAssertEqual(end.description, "killed by signal 15 (Terminated)")
    }

    func testTimeoutKillsTheWholeProcessGroupAndFails() async throws {
        let pidFile = directory.file("background.pid").path
        let started = ContinuousClock.now
        let end = await ShellCommand.run("sleep 60 & echo $! > \(pidFile); sleep 60", timeout: .milliseconds(500))
        let took = ContinuousClock.now - started
        XCTAssertEqual(end, .timedOut(.milliseconds(500)))
        XCTAssertFalse(end.succeeded)
        XCTAssertEqual(end.description, "timed out after 500 ms, killed")
        XCTAssertLessThan(took, .seconds(10), "killed at the timeout, not after the command's own minute")
        let background = try XCTUnwrap(pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // The background sleep was in the command's process group: killed with it (bounded wait for
        // its reaping by init, after which kill(pid, 0) fails).
        let deadline = ContinuousClock.now + .seconds(10)
        while kill(background, 0) == 0, Self.state(of: background) != "Z", ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        XCTAssertTrue(kill(background, 0) != 0 || Self.state(of: background) == "Z", "the command's background child is killed too")
    }

    func testCommandThatLeavesAChildRunningEndsWhenTheShellExits() async throws {
        let pidFile = directory.file("left.pid").path
        let started = ContinuousClock.now
        let end = await ShellCommand.run("sleep 30 & echo $! > \(pidFile); exit 3", timeout: .seconds(60))
        XCTAssertEqual(end, .exited(3))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(20), "the shell's exit ends the command, not its child's")
        if let child = pid_t(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(child, SIGKILL)
        }
    }

    func testEnvironmentIsPassedAndInheritedWhenNil() async throws {
        let output = directory.file("environment").path
        let end = await ShellCommand.run(
            "printf '%s %s' \"$VIPD_SERVER\" \"$VIPD_SERVER_PORT\" > \(output)",
            environment: ["VIPD_SERVER": "web1", "VIPD_SERVER_PORT": "8080", "PATH": "/usr/bin:/bin"], timeout: .seconds(30))
        XCTAssertEqual(end, .exited(0))
        XCTAssertEqual(try String(contentsOfFile: output, encoding: .utf8), "web1 8080")

        let only = await ShellCommand.run("[ -z \"$HOME\" ]", environment: ["A": "b"], timeout: .seconds(30))
        XCTAssertEqual(only, .exited(0), "the environment given is the whole environment")
        setenv("VIPD_SHELL_TEST", "inherited", 1)
        defer { unsetenv("VIPD_SHELL_TEST") }
        let inherited = await ShellCommand.run("[ \"$VIPD_SHELL_TEST\" = inherited ]", timeout: .seconds(30))
        XCTAssertEqual(inherited, .exited(0), "nil passes vipd's own environment")
    }

    func testStandardDescriptorsAreNullAndNoOtherIsInherited() async throws {
        // A descriptor of vipd's without close-on-exec, as a library might leave one.
        let inheritable = dup(2)
        XCTAssertGreaterThan(inheritable, 2)
        defer { close(inheritable) }
        let command = """
            for fd in 0 1 2; do [ "$(readlink /proc/$$/fd/$fd)" = /dev/null ] || exit 1$fd; done
            [ ! -e /proc/$$/fd/\(inheritable) ] || exit 3
            """
        let end = await ShellCommand.run(command, timeout: .seconds(30))
        XCTAssertEqual(end, .exited(0), "10-12: that descriptor is not /dev/null; 3: descriptor \(inheritable) inherited")
    }

    /// The state letter of a process in /proc (`Z` for a zombie), nil when it is gone.
    private static func state(of pid: pid_t) -> String? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        return stat[stat.index(close, offsetBy: 2)...].split(separator: " ").first.map(String.init)
    }
}
