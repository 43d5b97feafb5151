import Foundation
import VipdLab
import XCTest

/// `track.files` and `track.processes` in the namespace lab: ha0 (priority 100) tracks a file or a
/// process with a weight, and the VIP moves to ha1 (50) when the file's value or the process's
/// absence lowers ha0 below it, and back when it no longer does.
final class FileAndProcessTrackingTests: XCTestCase {
    private var lab: VRRPLab!
    private var app: Process?

    override func setUpWithError() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        lab = try VRRPLab()
    }

    override func tearDown() {
        stopApp()
        lab?.tearDown()
    }

    /// Starts both nodes, ha0 with `track` and ha1 without, and waits for ha0 to hold the VIP.
    private func startPair(track: String) throws {
        try lab.startVipd(0, yaml: VRRPLab.yaml(track: track))
        try lab.startVipd(1, yaml: VRRPLab.yaml(track: ""))
        try lab.waitForHolders([0], within: 20)
    }

    func testATrackFileMovesTheVIP() throws {
        let path = lab.directory.file("ha0.priority").path
        try startPair(track: "track: { files: { \(path): 1 } }")
        try lab.vipdProcess(0)!.waitForLog(containing: "track file \(path) counts as 0: cannot read \(path): No such file or directory", timeout: 5)
        try "-60\n".write(toFile: path, atomically: true, encoding: .utf8)
        try lab.waitForHolders([1], within: 15)
        try lab.vipdProcess(0)!.waitForLog(containing: "track file \(path) holds -60", timeout: 1)
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("VI_1: effective priority 100 -> 40"), lab.logs())
        try "0\n".write(toFile: path, atomically: true, encoding: .utf8)
        try lab.waitForHolders([0], within: 15, steadyFor: 2)
    }

    /// The process is a `sleep` started as `exec -a NAME`: its name is `sleep`, its command's first word NAME.
    private func startApp(_ name: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", "exec -a \(name) sleep 600"]
        try process.run()
        app = process
    }

    private func stopApp() {
        guard let app, app.isRunning else { return }
        app.terminate()
        app.waitUntilExit()
    }

    func testATrackedProcessMovesTheVIP() throws {
        let name = "vipd-test-app-\(UInt16.random(in: 1000...9999))"
        try startApp(name)
        try startPair(track: "track: { processes: { \(name): -60 } }")
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("track process \(name) is up: 1 running, needs 1 or more"), lab.logs())
        stopApp()
        try lab.waitForHolders([1], within: 15)
        XCTAssertTrue(lab.vipdProcess(0)!.log.contains("track process \(name) is down: 0 running, needs 1 or more"), lab.logs())
        try startApp(name)
        try lab.waitForHolders([0], within: 15, steadyFor: 2)
    }
}
