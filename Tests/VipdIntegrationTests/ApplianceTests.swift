import Foundation
import VipdLab
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The files of `appliance/` with the real tools: `vipd check` on every config, `systemd-analyze
/// verify` on the unit as installed, `nft -c` on the nftables snippet, and install/uninstall.
final class ApplianceTests: XCTestCase {
    private var directory: LabDirectory!

    /// `appliance/` of this checkout.
    private static let appliance = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("appliance")

    override func setUpWithError() throws {
        directory = try LabDirectory(prefix: "vipd-appliance")
    }

    override func tearDown() {
        directory?.remove()
    }

    private func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> ProcessRunner.Output {
        try ProcessRunner.run(URL(fileURLWithPath: executable), arguments: arguments, environment: environment, timeout: .seconds(60))
    }

    private func requireTool(_ path: String, package: String) throws {
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: path), "\(path) missing (apt-get install \(package))")
    }

    /// Every file below `directory`, relative, sorted.
    private func files(below directory: URL) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: directory.path)
        return (enumerator?.allObjects as? [String] ?? []).sorted()
    }

    func testDefaultConfigAndEveryExamplePassCheck() throws {
        let examples = try FileManager.default.contentsOfDirectory(atPath: Self.appliance.appendingPathComponent("examples").path)
            .filter { $0.hasSuffix(".yaml") }.map { "examples/\($0)" }
        XCTAssertEqual(Set(examples), ["examples/ssh-pair.yaml", "examples/web-pair.yaml"])
        for name in ["vipd.yaml"] + examples.sorted() {
            let output = try run(VipdProcess.binary.path, ["check", "--config", Self.appliance.appendingPathComponent(name).path])
            XCTAssertEqual(output.exitStatus, 0, "\(name): \(output.standardError)")
            XCTAssertTrue(output.standardOutput.contains("OK"), "\(name): \(output.standardOutput)")
        }
    }

    /// The shipped build (`scripts/build-release`, which `scripts/test` runs before the tests) works
    /// on a node without the Swift toolchain: in a private mount namespace with the directory of the
    /// Swift runtime this test runs on hidden under an empty tmpfs, it prints its version and checks
    /// the default config, while the debug build, linked to that shared runtime, cannot start there.
    func testTheShippedBinaryRunsOnANodeWithoutTheSwiftToolchain() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root for a mount namespace (CI runs as root)")
        let shipped = VipdProcess.shippedBinary.path
        guard FileManager.default.isExecutableFile(atPath: shipped) else {
            let missing = "no shipped build at \(shipped) (scripts/build-release; scripts/test runs it)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { return XCTFail(missing) }
            throw XCTSkip(missing)
        }
        let maps = String(decoding: try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/self/maps")?.readToEnd()), as: UTF8.self)
        let runtime = try XCTUnwrap(
            maps.split(separator: "\n").compactMap { $0.split(separator: " ").last }.first { $0.hasSuffix("/libswiftCore.so") },
            "this test runs on the shared Swift runtime")
        let runtimeDirectory = URL(fileURLWithPath: String(runtime)).deletingLastPathComponent().path
        let withoutToolchain = { (binary: String) in
            try self.run(
                "/usr/bin/unshare",
                ["--mount", "--propagation", "private", "/bin/sh", "-c",
                 "mount -t tmpfs none \"$0\" && \"$1\" --version && \"$1\" check --config \"$2\"",
                 runtimeDirectory, binary, Self.appliance.appendingPathComponent("vipd.yaml").path])
        }

        let debug = try withoutToolchain(VipdProcess.binary.path)
        XCTAssertNotEqual(debug.exitStatus, 0, "the debug build needs the runtime in \(runtimeDirectory): \(debug.standardOutput)")
        XCTAssertTrue(debug.standardError.contains("error while loading shared libraries: libswift"), debug.standardError)

        let release = try withoutToolchain(shipped)
        XCTAssertEqual(release.exitStatus, 0, release.standardError)
        XCTAssertTrue(release.standardOutput.contains("vipd.yaml: OK (1 listener(s), 1 pool(s), 2 server(s))"), release.standardOutput)
    }

    /// Installed with a PREFIX of the test's own (so ExecStart names an existing vipd), the unit
    /// passes `systemd-analyze verify`; the same unit naming a missing binary does not.
    func testInstalledUnitPassesSystemdAnalyzeVerify() throws {
        try requireTool("/usr/bin/systemd-analyze", package: "systemd")
        let prefix = directory.file("prefix").path
        let install = try run(
            "/bin/sh",
            [Self.appliance.appendingPathComponent("install.sh").path, "--build", try shippedBuild().path,
             "--prefix", prefix, "--sysconfdir", directory.file("etc").path])
        XCTAssertEqual(install.exitStatus, 0, install.standardOutput + install.standardError)
        let unit = "\(prefix)/lib/systemd/system/vipd.service"
        let text = try String(contentsOfFile: unit, encoding: .utf8)
        XCTAssertTrue(text.contains("ExecStart=\(prefix)/bin/vipd run --config \(directory.file("etc").path)/vipd/vipd.yaml"), text)
        for directive in ["Type=notify", "NotifyAccess=main", "WatchdogSec=", "Restart=on-failure", "ExecReload=/bin/kill -HUP $MAINPID",
                          "CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE", "ProtectSystem=strict",
                          "ProtectHome=yes", "NoNewPrivileges=yes", "PrivateTmp=yes", "RuntimeDirectory=vipd"] {
            XCTAssertTrue(text.contains("\n\(directive)"), "\(directive) missing")
        }

        // verify also looks up the unit's Documentation= man pages, installed below the prefix.
        var manual = ProcessInfo.processInfo.environment
        manual["MANPATH"] = "\(prefix)/share/man"
        let verify = try run("/usr/bin/systemd-analyze", ["verify", unit], environment: manual)
        XCTAssertEqual(verify.exitStatus, 0, verify.standardError)
        XCTAssertFalse(verify.standardError.contains("vipd.service"), "no warning about the unit: \(verify.standardError)")

        let broken = directory.file("vipd.service")
        try text.replacingOccurrences(of: "\(prefix)/bin/vipd", with: "/nonexistent/vipd").write(to: broken, atomically: true, encoding: .utf8)
        let refused = try run("/usr/bin/systemd-analyze", ["verify", broken.path], environment: manual)
        XCTAssertNotEqual(refused.exitStatus, 0, "verify checks ExecStart: \(refused.standardError)")
    }

    /// `nft -c` accepts the snippet, and loading it twice into a throwaway network namespace gives
    /// one table with the VRRP and VIP rules (it replaces itself, as `nft -f` on reload must).
    func testNftablesSnippetLoadsTwiceIntoAThrowawayNamespace() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root for a network namespace (CI runs as root)")
        try requireTool("/usr/sbin/nft", package: "nftables")
        let snippet = Self.appliance.appendingPathComponent("vipd.nft").path
        let check = try run("/usr/bin/unshare", ["--net", "/usr/sbin/nft", "-c", "-f", snippet])
        XCTAssertEqual(check.exitStatus, 0, check.standardError)
        let load = try run(
            "/usr/bin/unshare",
            ["--net", "/bin/sh", "-c", "nft -f \"$0\" && nft -f \"$0\" && nft list ruleset", snippet])
        XCTAssertEqual(load.exitStatus, 0, load.standardError)
        XCTAssertEqual(load.standardOutput.components(separatedBy: "table inet vipd").count - 1, 1, load.standardOutput)
        XCTAssertTrue(load.standardOutput.contains("hook input priority filter - 10"), load.standardOutput)
        XCTAssertTrue(load.standardOutput.contains("ip protocol vrrp counter"), load.standardOutput)
        XCTAssertTrue(load.standardOutput.contains("tcp dport 22 counter"), load.standardOutput)
    }

    /// The release build's directory (binary and man pages), which install.sh installs from.
    private func shippedBuild() throws -> URL {
        let shipped = VipdProcess.shippedBinary
        let manual = shipped.deletingLastPathComponent().appendingPathComponent("man/vipd.8")
        guard FileManager.default.isExecutableFile(atPath: shipped.path), FileManager.default.fileExists(atPath: manual.path) else {
            let missing = "no shipped build with man pages at \(shipped.deletingLastPathComponent().path) (scripts/build-release; scripts/test runs it)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(missing) }
            throw XCTSkip(missing)
        }
        return shipped.deletingLastPathComponent()
    }

    /// Into a DESTDIR: install writes every file of appliance/files and enables nothing, a second
    /// install keeps the admin's vipd.yaml, uninstall keeps a changed vipd.yaml, `--purge` leaves
    /// DESTDIR empty.
    func testInstallThenUninstallIntoADestdirLeavesNothingBehind() throws {
        let build = try shippedBuild()
        let destdir = directory.file("root")
        try FileManager.default.createDirectory(at: destdir, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["DESTDIR"] = destdir.path
        let installScript = Self.appliance.appendingPathComponent("install.sh").path
        let uninstallScript = Self.appliance.appendingPathComponent("uninstall.sh").path

        let install = try run("/bin/sh", [installScript, "--build", build.path], environment: environment)
        XCTAssertEqual(install.exitStatus, 0, install.standardError)
        XCTAssertFalse(install.standardOutput.contains("enable"), "enables nothing: \(install.standardOutput)")
        XCTAssertEqual(
            files(below: destdir).filter { !isDirectory(destdir.appendingPathComponent($0)) },
            [
                "etc/vipd/vipd.nft", "etc/vipd/vipd.yaml",
                "usr/local/bin/vipd", "usr/local/lib/systemd/system/vipd.service",
                "usr/local/share/doc/vipd/README.md",
                "usr/local/share/doc/vipd/docs/configuration.md",
                "usr/local/share/doc/vipd/docs/health-check-noise.md",
                "usr/local/share/doc/vipd/docs/http.md",
                "usr/local/share/doc/vipd/docs/import.md",
                "usr/local/share/doc/vipd/docs/operations.md",
                "usr/local/share/doc/vipd/docs/troubleshooting.md",
                "usr/local/share/doc/vipd/examples/ssh-pair.yaml",
                "usr/local/share/doc/vipd/examples/web-pair.yaml",
                "usr/local/share/doc/vipd/vipd.yaml",
                "usr/local/share/man/man5/vipd.yaml.5",
                "usr/local/share/man/man8/vipd.8",
            ])
        for line in install.standardOutput.split(separator: "\n") where line.hasPrefix("installed ") {
            XCTAssertTrue(line.hasPrefix("installed \(destdir.path)/"), "says where each file went: \(line)")
        }
        let config = destdir.appendingPathComponent("etc/vipd/vipd.yaml")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: config.path)[.posixPermissions] as? Int, 0o640, "vipd.yaml may hold passwords")

        let edited = try String(contentsOf: config, encoding: .utf8) + "# edited by the admin\n"
        try edited.write(to: config, atomically: true, encoding: .utf8)
        let again = try run("/bin/sh", [installScript, "--build", build.path], environment: environment)
        XCTAssertEqual(again.exitStatus, 0, again.standardError)
        XCTAssertTrue(again.standardOutput.contains("kept     \(config.path)"), again.standardOutput)
        XCTAssertEqual(try String(contentsOf: config, encoding: .utf8), edited, "an existing vipd.yaml is never overwritten")

        let uninstall = try run("/bin/sh", [uninstallScript], environment: environment)
        XCTAssertEqual(uninstall.exitStatus, 0, uninstall.standardError)
        XCTAssertEqual(files(below: destdir), ["etc", "etc/vipd", "etc/vipd/vipd.yaml"], uninstall.standardOutput)

        let purge = try run("/bin/sh", [uninstallScript, "--purge"], environment: environment)
        XCTAssertEqual(purge.exitStatus, 0, purge.standardError)
        XCTAssertEqual(files(below: destdir), [], purge.standardOutput)
    }

    /// A build without man pages is refused before anything is written, naming what is missing.
    func testInstallFromAnIncompleteBuildWritesNothing() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["DESTDIR"] = directory.file("root").path
        let output = try run(
            "/bin/sh", [Self.appliance.appendingPathComponent("install.sh").path, "--build", directory.file("empty-build").path, "--binary", VipdProcess.binary.path],
            environment: environment)
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("empty-build/man/vipd.8 is missing"), output.standardError)
        XCTAssertEqual(files(below: directory.url), [], "nothing written")
    }

    func testEnableIsRefusedWithDestdir() throws {
        var environment = ProcessInfo.processInfo.environment
        environment["DESTDIR"] = directory.file("root").path
        let output = try run(
            "/bin/sh", [Self.appliance.appendingPathComponent("install.sh").path, "--build", directory.file("build").path, "--enable"],
            environment: environment)
        XCTAssertEqual(output.exitStatus, 1)
        XCTAssertTrue(output.standardError.contains("--enable works on this host only"), output.standardError)
        XCTAssertEqual(files(below: directory.url), [], "nothing written")
    }

    private func isDirectory(_ url: URL) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &directory) && directory.boolValue
    }
}
