import Foundation
import VipdConfig
import VipdLab
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The Debian package that `scripts/build-deb` makes (the test command builds it before the
/// tests), installed on this machine with apt-get as an admin would: lintian, the files,
/// `vipd --version`, the man pages, the unit, the README's minimal configuration run by the
/// installed vipd on two lab nodes, the conffiles across a reinstall, then remove and purge leave
/// nothing of it behind.
final class DebianPackageTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    private var copy: LabDirectory?
    private var installed = false

    override func tearDown() {
        if installed { _ = try? apt(["purge", "-y", "vipd"]) }
        copy?.remove()
    }

    private func run(_ executable: String, _ arguments: [String], timeout: Duration = .seconds(300)) throws -> ProcessRunner.Output {
        var environment = ProcessInfo.processInfo.environment
        environment["DEBIAN_FRONTEND"] = "noninteractive"
        return try ProcessRunner.run(URL(fileURLWithPath: executable), arguments: arguments, environment: environment, timeout: timeout)
    }

    private func apt(_ arguments: [String]) throws -> ProcessRunner.Output {
        let output = try run("/usr/bin/apt-get", ["-q"] + arguments)
        XCTAssertEqual(output.exitStatus, 0, "apt-get \(arguments.joined(separator: " ")): \(output.standardOutput)\n\(output.standardError)")
        return output
    }

    /// dpkg's state of package vipd: "install ok installed", "deinstall ok config-files", or "" when
    /// it is not installed at all.
    private func packageStatus() throws -> String {
        let query = try run("/usr/bin/dpkg-query", ["-W", "-f=${Status}", "vipd"])
        guard query.exitStatus == 0, !query.standardOutput.hasSuffix("not-installed") else { return "" }
        return query.standardOutput
    }

    /// The package file, copied where apt's unprivileged downloader can read it.
    private func package() throws -> URL {
        let architecture = try run("/usr/bin/dpkg", ["--print-architecture"]).standardOutput
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let name = "vipd_\(VipdVersion.current)_\(architecture).deb"
        let built = Self.repository.appendingPathComponent("dist").appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: built.path) else {
            let missing = "no package at \(built.path) (scripts/build-deb; scripts/test runs it)"
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(missing) }
            throw XCTSkip(missing)
        }
        let directory = try LabDirectory(prefix: "vipd-deb")
        copy = directory
        chmod(directory.url.path, 0o755)
        let target = directory.file(name)
        try FileManager.default.copyItem(at: built, to: target)
        chmod(target.path, 0o644)
        return target
    }

    /// The files and symbolic links the package holds, as absolute paths.
    private func contents(of package: URL) throws -> [String] {
        let listing = try run("/usr/bin/dpkg-deb", ["--contents", package.path])
        XCTAssertEqual(listing.exitStatus, 0, listing.standardError)
        return listing.standardOutput.split(separator: "\n").compactMap { line -> String? in
            guard line.first == "-" || line.first == "l" else { return nil }
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let path = fields.firstIndex(where: { $0.hasPrefix("./") }) else { return nil }
            return String(fields[path].dropFirst())
        }
    }

    private func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    /// The libc6 the package depends on provides every glibc version node the binary needs, by
    /// libc6's own symbols file: dpkg-shlibdeps counts only imported symbols, and a node needed
    /// without one (GLIBC_ABI_DT_RELR, packed relocations) would let the package install on a libc6
    /// whose loader refuses the binary.
    func testTheLibc6DependencyProvidesEveryGlibcVersionTheBinaryNeeds() throws {
        let deb = try package()
        let unpacked = try XCTUnwrap(copy).file("root")
        XCTAssertEqual(try run("/usr/bin/dpkg-deb", ["-x", deb.path, unpacked.path]).exitStatus, 0)
        let depends = try run("/usr/bin/dpkg-deb", ["-f", deb.path, "Depends"]).standardOutput
        let minimum = try XCTUnwrap(
            depends.firstMatch(of: /libc6 \(>= ([^)]+)\)/).map { String($0.1) }, "no versioned libc6 in \(depends)")

        // readelf -V: the nodes needed from libc.so.6, each `Name: GLIBC_…` under its `File: libc.so.6` line.
        let versions = try run("/usr/bin/readelf", ["-V", unpacked.appendingPathComponent("usr/bin/vipd").path]).standardOutput
        var needed: Set<String> = []
        var inLibc = false
        for line in versions.split(separator: "\n") {
            if line.contains("File: ") { inLibc = line.contains("File: libc.so.6") }
            if inLibc, let name = line.firstMatch(of: /Name: (\S+)/) { needed.insert(String(name.1)) }
        }
        XCTAssertTrue(needed.contains("GLIBC_2.2.5"), "\(needed)")

        let symbolsFiles = try FileManager.default.contentsOfDirectory(atPath: "/var/lib/dpkg/info")
            .filter { $0.hasPrefix("libc6") && $0.hasSuffix(".symbols") && !$0.hasPrefix("libc6-") }
        let symbols = try symbolsFiles.map { try String(contentsOfFile: "/var/lib/dpkg/info/\($0)", encoding: .utf8) }.joined()
        for node in needed.sorted() {
            let line = try XCTUnwrap(
                symbols.split(separator: "\n").first { $0.hasPrefix(" \(node)@\(node) ") }, "libc6's symbols file has no \(node)")
            let provided = String(line.split(separator: " ")[1])
            let covered = try run("/usr/bin/dpkg", ["--compare-versions", minimum, "ge", provided]).exitStatus == 0
            XCTAssertTrue(covered, "the binary needs \(node), in libc6 \(provided), but the package depends on libc6 (>= \(minimum))")
        }
    }

    func testInstallFromTheDebianPackageThenPurgeLeavesNothing() throws {
        try XCTSkipUnless(geteuid() == 0, "needs root to install a package (CI runs as root)")
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/apt-get"), "not a Debian machine")
        let deb = try package()
        try XCTSkipUnless(try packageStatus().isEmpty, "a vipd package is on this machine already: this test does not touch it")
        let files = try contents(of: deb)
        XCTAssertTrue(files.contains("/usr/bin/vipd"), "\(files)")
        XCTAssertTrue(files.contains("/lib/systemd/system/vipd.service"), "\(files)")
        XCTAssertTrue(files.contains("/usr/share/doc/vipd/copyright"), "\(files)")
        let ours = files + ["/etc/vipd", "/usr/share/doc/vipd"]
        let before = ours.filter(exists)
        XCTAssertEqual(before, [], "nothing of the package is on this machine before the test")

        let lintian = try run("/usr/bin/lintian", ["--fail-on", "error,warning", deb.path], timeout: .seconds(600))
        XCTAssertEqual(lintian.exitStatus, 0, "lintian: \(lintian.standardOutput)\n\(lintian.standardError)")
        XCTAssertFalse(lintian.standardOutput.contains("E: ") || lintian.standardOutput.contains("W: "), lintian.standardOutput)

        let install = try apt(["install", "-y", deb.path])
        installed = true
        XCTAssertEqual(try packageStatus(), "install ok installed")
        XCTAssertTrue(install.standardOutput.contains("nothing was enabled or started"), install.standardOutput)
        for path in files { XCTAssertTrue(exists(path), "\(path) installed") }

        let version = try run("/usr/bin/vipd", ["--version"])
        XCTAssertEqual(version.exitStatus, 0, version.standardError)
        XCTAssertEqual(version.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), VipdVersion.current)
        let strip = try run("/usr/bin/file", ["-L", "/usr/bin/vipd"])
        XCTAssertTrue(strip.standardOutput.contains(", stripped"), "the binary is stripped: \(strip.standardOutput)")

        for (page, path, text) in [
            ("vipd", "/usr/share/man/man8/vipd.8.gz", "sshd-snippet"), ("vipd.yaml", "/usr/share/man/man5/vipd.yaml.5.gz", "session_drain_limit"),
        ] {
            let location = try run("/usr/bin/man", ["-w", page])
            XCTAssertEqual(location.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines), path, "man -w \(page): \(location.standardError)")
            let rendered = try run("/usr/bin/man", ["-P", "cat", page])
            XCTAssertEqual(rendered.exitStatus, 0, rendered.standardError)
            XCTAssertTrue(rendered.standardOutput.contains(text), "man \(page) mentions \(text)")
        }

        let verify = try run("/usr/bin/systemd-analyze", ["verify", "/lib/systemd/system/vipd.service"])
        XCTAssertEqual(verify.exitStatus, 0, verify.standardError)
        XCTAssertFalse(verify.standardError.contains("vipd.service"), "no warning about the unit: \(verify.standardError)")
        let unit = try String(contentsOfFile: "/lib/systemd/system/vipd.service", encoding: .utf8)
        XCTAssertTrue(unit.contains("\nExecStart=/usr/bin/vipd run --config /etc/vipd/vipd.yaml\n"), unit)
        XCTAssertFalse(exists("/etc/systemd/system/multi-user.target.wants/vipd.service"), "a fresh install enables nothing")

        let conffiles = try run("/usr/bin/dpkg-query", ["-W", "-f=${Conffiles}", "vipd"]).standardOutput
        XCTAssertTrue(conffiles.contains("/etc/vipd/vipd.yaml") && conffiles.contains("/etc/vipd/vipd.nft"), conffiles)
        let check = try run("/usr/bin/vipd", ["check"])
        XCTAssertEqual(check.exitStatus, 0, "the shipped /etc/vipd/vipd.yaml passes: \(check.standardOutput) \(check.standardError)")

        try walkThroughTheReadme()

        let config = "/etc/vipd/vipd.yaml"
        let edited = try String(contentsOfFile: config, encoding: .utf8) + "# edited by the admin\n"
        try edited.write(toFile: config, atomically: false, encoding: .utf8)
        _ = try apt(["install", "-y", "--reinstall", deb.path])
        XCTAssertEqual(try String(contentsOfFile: config, encoding: .utf8), edited, "a reinstall keeps the admin's vipd.yaml")

        _ = try apt(["remove", "-y", "vipd"])
        XCTAssertEqual(try packageStatus(), "deinstall ok config-files")
        XCTAssertFalse(exists("/usr/bin/vipd"))
        XCTAssertTrue(exists(config), "remove keeps the configuration")

        _ = try apt(["purge", "-y", "vipd"])
        installed = false
        XCTAssertEqual(try packageStatus(), "")
        XCTAssertEqual(ours.filter(exists), [], "purge leaves nothing of the package")
        for state in [
            "/etc/systemd/system/vipd.service", "/var/lib/systemd/deb-systemd-helper-enabled/vipd.service.dsh-also",
            "/var/lib/systemd/deb-systemd-helper-masked/vipd.service",
        ] {
            XCTAssertFalse(exists(state), "\(state) left behind")
        }
    }

    /// What README.md tells a new user to do after installing the package, with the installed
    /// /usr/bin/vipd on the two lab nodes: its minimal configuration with the lab's addresses
    /// passes `vipd check` and `vipd doctor`, `vipd run` on both nodes elects ha0, logins to the VIP
    /// reach both nodes' sshd, and `vipd ctl status` answers.
    private func walkThroughTheReadme() throws {
        if let reason = VRRPLab.unavailableReason { throw XCTSkip(reason) }
        let installed = URL(fileURLWithPath: "/usr/bin/vipd")
        let readme = try String(contentsOfFile: ReadmeMinimalConfiguration.readmePath, encoding: .utf8)
        let minimal = try XCTUnwrap(ReadmeMinimalConfiguration.text(in: readme), "README.md has no minimal configuration")
        let lab = try VRRPLab()
        defer { lab.tearDown() }
        // The README's example addresses and interface become the lab's; each node gets its own
        // control socket, because the lab's nodes share one file system.
        let labYAML = { (node: Int) -> String in
            [("192.168.2.230", "10.251.1.11"), ("192.168.2.231", "10.251.1.12"), ("192.168.2.232", VRRPLab.vip), ("enp2s0", ClusterLab.interface)]
                .reduce(minimal) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
                + "global: { control_socket: \(lab.controlSocket(node)) }\n"
        }
        XCTAssertFalse(labYAML(0).contains("192.168.2."), "the README's example addresses are the ones replaced here")

        for node in 0...1 {
            let file = lab.directory.file("readme-ha\(node).yaml")
            try labYAML(node).write(to: file, atomically: true, encoding: .utf8)
            let check = try run(installed.path, ["check", file.path])
            XCTAssertEqual(check.exitStatus, 0, "vipd check: \(check.standardOutput) \(check.standardError)")
            let doctor = try run(
                NetworkNamespace.ipTool.path,
                ["netns", "exec", lab.lab.nodes[node].namespace.name, installed.path, "doctor", "--config", file.path, "--node", "ha\(node)"])
            XCTAssertEqual(doctor.exitStatus, 0, "vipd doctor on ha\(node) fails nothing:\n\(doctor.standardOutput)")
        }
        try lab.startVipd(0, yaml: labYAML(0), executable: installed)
        try lab.waitForHolders([0], within: 15)
        try lab.startVipd(1, yaml: labYAML(1), executable: installed)
        try lab.vipdProcess(0)!.waitForLog(containing: "server ssh/ha1 is UP", timeout: 15)

        var servers: Set<String> = []
        for _ in 0..<4 { servers.insert(try lab.loginServer()) }
        XCTAssertEqual(servers, Set(lab.lab.nodes.map(\.address)), "logins to the VIP reach both nodes' sshd in turn\n\(lab.logs())")

        let status = try run(installed.path, ["ctl", "--socket", lab.controlSocket(0), "status"])
        XCTAssertEqual(status.exitStatus, 0, status.standardError)
        XCTAssertTrue(status.standardOutput.contains("MASTER"), status.standardOutput)
    }
}
