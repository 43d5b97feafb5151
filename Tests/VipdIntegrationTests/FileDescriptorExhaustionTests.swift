import Foundation
import VipdLab
import XCTest

/// Out of file descriptors, vipd keeps serving established connections, leaves new clients
/// waiting instead of dying, logs the condition once per interval, and recovers when
/// descriptors free up. vipd runs under `prlimit --nofile=64` against a Python echo backend.
final class FileDescriptorExhaustionTests: XCTestCase {
    func testRunningOutOfDescriptorsKeepsEstablishedConnectionsAndRecovers() throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/python3"), "python3 is needed")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/prlimit"), "prlimit (util-linux) is needed")
        let directory = try LabDirectory(prefix: "vipd-fd")
        defer { directory.remove() }
        let portFile = directory.file("echo.port")
        let backend = try PythonPeer(script: "fd_exhaustion.py", arguments: ["echo", portFile.path], portFile: portFile)
        defer { backend.stop() }
        let listenPort = try FreePort.allocate()
        let vipd = try VipdProcess(
            yaml: """
                listeners:
                  t: { bind: 127.0.0.1:\(listenPort), pool: echo, retries: 0 }
                pools:
                  echo:
                    servers: [{ address: 127.0.0.1:\(backend.port) }]
                    check: { kind: none }
                global: { log_level: notice }
                """, directory: directory, launcher: ["/usr/bin/prlimit", "--nofile=64:64"])
        defer { vipd.stop() }

        let run = try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/python3"), arguments: [PythonPeer.scriptURL("fd_exhaustion.py").path, "clients", "127.0.0.1", "\(listenPort)"],
            timeout: .seconds(120))
        try run.requireSuccess()
        let report = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any]
        let served = try XCTUnwrap(report?["served"] as? Int)
        XCTAssertGreaterThan(served, 8, run.standardOutput)
        XCTAssertEqual(report?["stalled"] as? Bool, true, "64 descriptors cannot carry 400 proxied connections: \(run.standardOutput)")
        XCTAssertEqual(report?["first_still_echoes"] as? Bool, true, "established connections keep working:\n\(vipd.log)")
        XCTAssertEqual(report?["recovered"] as? Bool, true, "new connections are served again once descriptors free up:\n\(vipd.log)")
        let reports = vipd.log.components(separatedBy: "cannot accept new connections").count - 1
        XCTAssertGreaterThan(reports, 0, "running out of descriptors is logged:\n\(vipd.log)")
        XCTAssertLessThanOrEqual(reports, 3, "logged once per interval, not per attempt:\n\(vipd.log)")
        XCTAssertTrue(vipd.isRunning, "vipd keeps running:\n\(vipd.log)")
    }
}
