import Foundation
import VipdLab
import XCTest

/// An LVS director's keepalived.conf, as a user moves it to vipd: its `virtual_server` (the import
/// fixture `002-keepalived.conf`, addresses moved to loopback) imported with `vipd import
/// --keepalived` alone, accepted by `vipd check`, and run by the real `vipd run` in front of two
/// real nginx, where the imported HTTP_GET check of `/drupal/` takes a server out when that page
/// stops answering 200 and brings it back when it answers again.
final class KeepalivedVirtualServerLabTests: XCTestCase {
    private static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../VipdImportTests/Fixtures/002-keepalived.conf").standardized

    private var directory: LabDirectory!
    private var web1: NginxServer!
    private var web2: NginxServer!

    override func setUpWithError() throws {
        try XCTSkipUnless(NginxServer.isAvailable, "nginx not installed (apt-get install nginx-light)")
        directory = try LabDirectory(prefix: "vipd-lvs")
    }

    override func tearDown() {
        web1?.stop()
        web2?.stop()
        directory?.remove()
    }

    private func vipd(_ arguments: [String]) throws -> ProcessRunner.Output {
        try ProcessRunner.run(VipdProcess.binary, arguments: arguments, timeout: .seconds(60))
    }

    /// Which nginx answered a request through the listener (each serves its name at /whoami).
    private func servers(_ count: Int, port: Int) throws -> [String] {
        try (0..<count).map { _ in
            let response = try XCTUnwrap(HTTPProbe.get(address: "127.0.0.1", port: port, path: "/whoami", timeout: .seconds(10)))
            return response.body.trimmingCharacters(in: .newlines)
        }
    }

    func testImportedHTTPGetTakesAServerOutAndBack() throws {
        // The director's two web servers on one port of two loopback addresses, as 10.0.0.2:80 and 10.0.0.3:80 were.
        let webPort = try FreePort.allocate(on: "127.0.0.2")
        web1 = try NginxServer.start(name: "web1", address: "127.0.0.2", port: webPort, directory: directory)
        web2 = try NginxServer.start(name: "web2", address: "127.0.0.3", port: webPort, directory: directory)
        for web in [web1!, web2!] {
            let drupal = web.rootURL.appendingPathComponent("drupal")
            try FileManager.default.createDirectory(at: drupal, withIntermediateDirectories: true)
            try "drupal on \(web.name)\n".write(to: drupal.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        }
        let vipPort = try FreePort.allocate()
        let seed = try String(contentsOf: Self.fixture, encoding: .utf8)
        let adapted = [
            ("virtual_server 192.168.1.6 80", "virtual_server 127.0.0.1 \(vipPort)"),
            ("real_server 10.0.0.2 80", "real_server 127.0.0.2 \(webPort)"), ("real_server 10.0.0.3 80", "real_server 127.0.0.3 \(webPort)"),
        ].reduce(seed) { text, replacement in
            XCTAssertTrue(text.contains(replacement.0), replacement.0)
            return text.replacingOccurrences(of: replacement.0, with: replacement.1)
        }
        let keepalived = directory.file("keepalived.conf")
        try adapted.write(to: keepalived, atomically: true, encoding: .utf8)

        let imported = try vipd(["import", "--keepalived", keepalived.path])
        XCTAssertEqual(imported.exitStatus, 0, imported.standardError)
        let importedFile = directory.file("imported.yaml")
        try imported.standardOutput.write(to: importedFile, atomically: true, encoding: .utf8)
        let check = try vipd(["check", "--config", importedFile.path])
        XCTAssertEqual(check.exitStatus, 0, check.standardError + imported.standardOutput)
        XCTAssertTrue(check.standardOutput.contains("OK (1 listener(s), 1 pool(s), 2 server(s))"), check.standardOutput)

        // The only edit: the seed's delay_loop 60 became interval: 1m; a test cannot wait minutes, so the
        // interval alone is shortened. Everything else (path, status, timeout 3s, fall 2, rise 1) is as imported.
        let yaml = imported.standardOutput.replacingOccurrences(of: "      interval: 1m\n", with: "      interval: 500ms\n")
        XCTAssertEqual(yaml.components(separatedBy: "      interval: 500ms\n").count, 2, imported.standardOutput)
        XCTAssertTrue(yaml.contains("      kind: http\n      method: GET\n      path: /drupal/\n      expect_status: 200\n"), yaml)

        let vipdProcess = try VipdProcess(yaml: yaml, directory: directory)
        defer { vipdProcess.stop() }
        let pool = "vs-127.0.0.1-\(vipPort)"
        try vipdProcess.waitForLog(containing: "pool \(pool): first checks done, 2 active and 0 backup servers up", timeout: 30)
        XCTAssertEqual(Set(try servers(4, port: vipPort)), ["web1", "web2"], "round robin (lvs_sched rr) across both")

        let drupal1 = web1.rootURL.appendingPathComponent("drupal")
        try FileManager.default.removeItem(at: drupal1)
        try vipdProcess.waitForLog(containing: "server \(pool)/127.0.0.2 is DOWN: HTTP status 404, expected 200", timeout: 30)
        XCTAssertEqual(try servers(10, port: vipPort), Array(repeating: "web2", count: 10), "no request reaches web1 once it is DOWN")

        try FileManager.default.createDirectory(at: drupal1, withIntermediateDirectories: true)
        try "drupal on web1\n".write(to: drupal1.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        try vipdProcess.waitForLog(containing: "server \(pool)/127.0.0.2 is UP: HTTP status 200", count: 2, timeout: 30)
        XCTAssertEqual(Set(try servers(4, port: vipPort)), ["web1", "web2"], "web1 back after one passed check (rise 1)")
        let checks = try String(contentsOf: web2.accessLogURL, encoding: .utf8).components(separatedBy: "\"GET /drupal/ HTTP/1.1\" 200").count - 1
        XCTAssertGreaterThan(checks, 0, "web2 saw the imported check's requests")
    }
}
