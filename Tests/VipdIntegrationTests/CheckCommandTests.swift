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

    private let valid = """
        listeners:
          ssh: { bind: 127.0.0.1:2222, pool: ssh }
        pools:
          ssh:
            servers: [{ name: ha0, address: 127.0.0.1:22 }]
        """

    /// `vipd` with `arguments`, given a directory holding a valid `vipd.yaml` and a broken `bad.yaml`.
    private func vipd(_ arguments: (_ good: String, _ bad: String) -> [String]) throws -> ProcessRunner.Output {
        let directory = try LabDirectory(prefix: "vipd-check")
        defer { directory.remove() }
        try valid.write(to: directory.file("vipd.yaml"), atomically: true, encoding: .utf8)
        try "listeners: 1\n".write(to: directory.file("bad.yaml"), atomically: true, encoding: .utf8)
        return try ProcessRunner.run(
            VipdProcess.binary, arguments: arguments(directory.file("vipd.yaml").path, directory.file("bad.yaml").path),
            timeout: .seconds(60))
    }

    func testEveryWayHaproxyAndKeepalivedUsersNameTheFile() throws {
        let forms: [(String) -> [String]] = [
            { ["check", $0] }, { ["check", "-f", $0] }, { ["check", "-c", $0] }, { ["check", "--config", $0] },
            { ["check", "-c", "-f", $0] }, { ["check", "-t", "-f", $0] }, { ["check", "-f", $0, $0] },
        ]
        for form in forms {
            let output = try vipd { good, _ in form(good) }
            XCTAssertEqual(output.exitStatus, 0, "\(form("FILE")): \(output.standardError)")
            XCTAssertTrue(output.standardOutput.contains("vipd.yaml: OK"), "\(form("FILE")): \(output.standardOutput)")
        }
        let bad = try vipd { _, bad in ["check", "-c", "-f", bad] }
        XCTAssertEqual(bad.exitStatus, 1, bad.standardError)
        XCTAssertTrue(bad.standardError.contains("bad.yaml:1:"), bad.standardError)
    }

    func testTwoDifferentFilesAreAUsageError() throws {
        let output = try vipd { good, bad in ["check", "-f", good, bad] }
        XCTAssertEqual(output.exitStatus, 64, output.standardError)
        XCTAssertTrue(output.standardError.contains("two different files to check"), output.standardError)
    }

    func testUnknownCommandSuggestsTheClosestAndHaproxysFormIsPointedToCheck() throws {
        let typo = try vipd { good, _ in ["chek", good] }
        XCTAssertEqual(typo.exitStatus, 64)
        XCTAssertEqual(typo.standardError, "vipd: unknown command \"chek\" (did you mean \"check\"?)\n")
        let unrelated = try vipd { _, _ in ["frobnicate"] }
        XCTAssertEqual(unrelated.exitStatus, 64)
        XCTAssertTrue(unrelated.standardError.contains("the commands: run, check, monitor"), unrelated.standardError)
        let haproxy = try vipd { good, _ in ["-c", "-f", good] }
        XCTAssertEqual(haproxy.exitStatus, 64)
        XCTAssertTrue(haproxy.standardError.hasPrefix("vipd: -c belongs to vipd check: vipd check -c -f "), haproxy.standardError)
        let unknownOption = try vipd { good, _ in ["check", "--bogus", good] }
        XCTAssertEqual(unknownOption.exitStatus, 64, "ArgumentParser's own usage errors exit 64 too")
    }

    func testAKeepalivedWordIsAnsweredWithVipdsWordAtItsPosition() throws {
        let output = try check(
            """
            cluster:
              nodes:
                ha0: { address: 127.0.0.1, priority: 100 }
            vrrp:
              VI_1:
                interface: lo
                virtual_router_id: 51
                virtual_addresses: [127.0.0.100/32]
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: ssh }
            pools:
              ssh:
                servers: [{ name: ha0, address: 127.0.0.1:22, inter: 2s }]
            """)
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(
            output.standardError.contains(
                #"vipd.yaml:7:5: vrrp.VI_1.virtual_router_id: unknown key "virtual_router_id" (keepalived's "virtual_router_id" is "router_id" in vipd)"#),
            output.standardError)
        XCTAssertTrue(
            output.standardError.contains(#"unknown key "inter" (haproxy's "inter" is "check: { interval: DURATION }" of the pool in vipd)"#),
            output.standardError)
    }
}
