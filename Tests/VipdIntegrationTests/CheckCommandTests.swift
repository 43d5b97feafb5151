import Foundation
import VipdLab
import XCTest

/// `vipd check` as a user runs it: exit 0 on a valid file, 1 with file:line:column errors otherwise.
final class CheckCommandTests: XCTestCase {
    private func check(_ yaml: String) throws -> ProcessRunner.Output {
        let directory = try LabDirectory(prefix: "vipd-check")
        defer { directory.remove() }
        let file = directory.file("vipd.yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        return try ProcessRunner.run(VipdProcess.binary, arguments: ["check", "--config", file.path], timeout: .seconds(60))
    }

    func testValidFileExitsZero() throws {
        let output = try check(
            """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: ssh }
            pools:
              ssh:
                servers: [{ name: ha0, address: 127.0.0.1:22 }]
                check: { kind: ssh-banner }
            """)
        XCTAssertEqual(output.exitStatus, 0, output.standardError)
        XCTAssertTrue(output.standardOutput.contains("OK"), output.standardOutput)
    }

    func testEveryErrorOfABadFileIsReportedWithItsPosition() throws {
        let output = try check(
            """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: nowhere }
            pools:
              ssh:
                servers: [{ name: ha0, address: 127.0.0.1:22 }]
                check: { kind: ssh-banner, intervall: 2s }
            """)
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("vipd.yaml:2:"), output.standardError)
        XCTAssertTrue(output.standardError.contains("nowhere"), output.standardError)
        XCTAssertTrue(output.standardError.contains("vipd.yaml:6:"), output.standardError)
        XCTAssertTrue(output.standardError.contains("intervall"), output.standardError)
    }

    func testMissingFileExitsOneAndSaysSo() throws {
        let output = try ProcessRunner.run(
            VipdProcess.binary, arguments: ["check", "--config", "/nonexistent/vipd.yaml"], timeout: .seconds(60))
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("/nonexistent/vipd.yaml"), output.standardError)
    }
}
