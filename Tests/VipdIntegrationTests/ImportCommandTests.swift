import Foundation
import VipdLab
import XCTest

/// `vipd import` as a user runs it on the seeds' files: vipd.yaml on standard output that `vipd check`
/// accepts, every directive not carried on standard error with its file:line, exit 1 on unreadable input.
final class ImportCommandTests: XCTestCase {
    /// The seed configurations of the VipdImportTests bundle.
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../VipdImportTests/Fixtures").standardized

    private func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    private func vipd(_ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(VipdProcess.binary, arguments: arguments, timeout: .seconds(60))
    }

    /// Runs the import, writes its output to a file and has `vipd check` read it.
    private func importAndCheck(_ arguments: [String]) throws -> (imported: ProcessRunner.Output, check: ProcessRunner.Output) {
        let imported = try vipd(["import"] + arguments)
        XCTAssertEqual(imported.exitStatus, 0, imported.standardError)
        let directory = try LabDirectory(prefix: "vipd-import")
        defer { directory.remove() }
        let file = directory.file("vipd.yaml")
        try imported.standardOutput.write(to: file, atomically: true, encoding: .utf8)
        return (imported, try vipd(["check", "--config", file.path]))
    }

    func testSeed001PairImportsToAFileVipdCheckAccepts() throws {
        let (imported, check) = try importAndCheck([
            "--haproxy", fixture("001-haproxy.cfg"), "--keepalived", fixture("001-keepalived-ha0.conf"),
            "--keepalived", fixture("001-keepalived-ha1.conf"),
        ])
        XCTAssertEqual(check.exitStatus, 0, check.standardError + imported.standardOutput)
        XCTAssertTrue(check.standardOutput.contains("OK (1 listener(s), 1 pool(s), 2 server(s))"), check.standardOutput)
        XCTAssertTrue(imported.standardOutput.contains("ha1: { address: 192.168.2.231, priority: 90 }"), imported.standardOutput)
        let report = imported.standardError.split(separator: "\n").map(String.init)
        for expected in [
            "001-haproxy.cfg:2: daemon: ", "001-haproxy.cfg:21: balance roundrobin 3: ", "001-haproxy.cfg:28: ★6: ",
            "001-keepalived-ha0.conf:1: vrrp_script chk_haproxy: ", "001-keepalived-ha1.conf:16: auth_pass: ",
        ] {
            XCTAssertTrue(report.contains { $0.contains("/Fixtures/" + expected) }, "\(expected) missing:\n\(imported.standardError)")
        }
        XCTAssertFalse(imported.standardError.contains("MySecret"), imported.standardError)
        XCTAssertTrue(imported.standardOutput.contains("'MySecret'"), imported.standardOutput)
    }

    func testSeed000PairImportsToAFileVipdCheckAccepts() throws {
        let (imported, check) = try importAndCheck([
            "--haproxy", fixture("000-haproxy.cfg"), "--keepalived", fixture("000-keepalived-prslb01.conf"),
            "--keepalived", fixture("000-keepalived-prslb02.conf"),
        ])
        XCTAssertEqual(check.exitStatus, 0, check.standardError + imported.standardOutput)
        XCTAssertTrue(check.standardOutput.contains("OK (6 listener(s), 1 pool(s), 2 server(s))"), check.standardOutput)
        XCTAssertEqual(imported.standardOutput.components(separatedBy: "    mode: http\n").count - 1, 6, imported.standardOutput)
        for expected in [
            "000-haproxy.cfg:54: option forwardfor except 127.0.0.0/8: ", "000-haproxy.cfg:62: timeout http-keep-alive 10s: ",
            "000-haproxy.cfg:76: bind 172.16.110.70:443: port 443 in mode http without ssl", "000-haproxy.cfg:117: http-request return",
        ] {
            XCTAssertTrue(imported.standardError.contains("/Fixtures/" + expected), "\(expected) missing:\n\(imported.standardError)")
        }
        XCTAssertFalse(imported.standardError.contains("passw123"), imported.standardError)
    }

    func testSeed002KeepalivedAloneImportsToAFileVipdCheckAccepts() throws {
        let (imported, check) = try importAndCheck(["--keepalived", fixture("002-keepalived.conf")])
        XCTAssertEqual(check.exitStatus, 0, check.standardError + imported.standardOutput)
        XCTAssertTrue(check.standardOutput.contains("OK (1 listener(s), 1 pool(s), 2 server(s))"), check.standardOutput)
        XCTAssertTrue(imported.standardOutput.contains("    bind: 192.168.1.6:80\n    mode: tcp\n"), imported.standardOutput)
        for expected in ["002-keepalived.conf:4: lvs_method NAT: vipd proxies", "002-keepalived.conf:10: HTTP_GET: keepalived retries"] {
            XCTAssertTrue(imported.standardError.contains("/Fixtures/" + expected), "\(expected) missing:\n\(imported.standardError)")
        }

        let nothing = try vipd(["import"])
        XCTAssertEqual(nothing.exitStatus, 64, "no file at all is a usage error")
        XCTAssertTrue(nothing.standardError.contains("give --haproxy haproxy.cfg, --keepalived keepalived.conf (once per node), or both"), nothing.standardError)
    }

    func testUnreadableInputExitsOneWithFileAndLine() throws {
        let missing = try vipd(["import", "--haproxy", "/nonexistent/haproxy.cfg"])
        XCTAssertEqual(missing.exitStatus, 1)
        XCTAssertTrue(missing.standardError.contains("/nonexistent/haproxy.cfg: cannot read the file"), missing.standardError)
        XCTAssertEqual(missing.standardOutput, "")

        let directory = try LabDirectory(prefix: "vipd-import")
        defer { directory.remove() }
        let broken = directory.file("keepalived.conf")
        try "vrrp_instance VI_1 {\n  interface eth0\n  virtual_ipaddress {\n    10.0.0.1\n}\n".write(to: broken, atomically: true, encoding: .utf8)
        let unclosed = try vipd(["import", "--haproxy", fixture("001-haproxy.cfg"), "--keepalived", broken.path])
        XCTAssertEqual(unclosed.exitStatus, 1)
        XCTAssertTrue(unclosed.standardError.contains("\(broken.path):1: the \"{\" of \"vrrp_instance VI_1\" is never closed"), unclosed.standardError)
        XCTAssertEqual(unclosed.standardOutput, "")

        let badNode = try vipd(["import", "--haproxy", fixture("001-haproxy.cfg"), "--node", "ha0"])
        XCTAssertEqual(badNode.exitStatus, 64, "a malformed option value is a usage error")
        XCTAssertTrue(badNode.standardError.contains("--node ha0: write NAME=ADDRESS"), badNode.standardError)
    }
}
