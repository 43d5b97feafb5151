import Foundation
import VipdConfig
import VipdCore
import VipdLab
import VipdSystem
import XCTest

/// The doctor's sshd check and `write` on real files beside a temporary main sshd_config, with the real `sshd -t`.
/// (The command line's refusals, restore and a real sshd started on the result are in VipdIntegrationTests.)
final class SSHDCoordinationTests: XCTestCase {
    private var directory: LabDirectory!
    private var main: String { directory.file("sshd_config").path }
    private let node = ClusterNode(name: "ha0", address: IPAddress("127.0.0.1")!)

    override func setUpWithError() throws {
        directory = try LabDirectory(prefix: "vipd-sshd-coordination")
        let keys = try LabKeys.generate(in: directory)
        try """
            Include \(directory.url.path)/sshd_config.d/*.conf
            HostKey \(keys.hostKey.path)
            PidFile \(directory.file("sshd.pid").path)
            UsePAM no

            """.write(toFile: main, atomically: true, encoding: .utf8)
        try Self.ensurePrivilegeSeparationDirectory()
    }

    override func tearDown() { directory.remove() }

    /// `sshd -t` as root wants /run/sshd, which only sshd's service unit creates.
    static func ensurePrivilegeSeparationDirectory() throws {
        if getuid() == 0 { try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true) }
    }

    private var sshd: String {
        get throws {
            guard SSHDaemon.isAvailable else { throw XCTSkip("OpenSSH's sshd is not installed") }
            return SSHDConfigTest.defaultSSHD
        }
    }

    func testDoctorSeesAMissingThenAnOutdatedThenAGoodSnippet() throws {
        let coordination = SSHDCoordination(node: node, configPath: "/etc/vipd/vipd.yaml", mainConfig: main)
        let path = coordination.snippetPath
        XCTAssertEqual(path, directory.file("sshd_config.d/01-vipd.conf").path)
        XCTAssertEqual(
            coordination.problems(hostAddresses: [node.address]).map(\.description),
            ["\(path): the sshd snippet is missing; fix: vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)"])
        try AtomicFileWriter.replace(path, with: "ListenAddress 127.0.0.2\n")
        XCTAssertEqual(
            coordination.problems(hostAddresses: [node.address]).map(\.message),
            ["the sshd snippet differs from what vipd writes for node ha0"])
        try AtomicFileWriter.replace(path, with: coordination.snippet)
        XCTAssertEqual(coordination.problems(hostAddresses: [node.address]), [])
        XCTAssertEqual(
            coordination.problems(hostAddresses: []).map(\.description),
            [
                "node ha0's address 127.0.0.1 is not configured on any interface of this host, so sshd could not listen on it "
                    + "and you would be locked out; fix: run this on ha0 itself (--node names this host's node), or correct "
                    + "cluster.nodes.ha0.address"
            ])
    }

    func testMissingMainConfigIsAProblem() {
        let coordination = SSHDCoordination(node: node, configPath: "vipd.yaml", mainConfig: directory.file("absent").path)
        XCTAssertEqual(
            coordination.problemsBeforeWriting(hostAddresses: [node.address]).map(\.description),
            ["\(directory.file("absent").path): cannot read \(directory.file("absent").path): No such file or directory; "
                + "fix: name sshd's main configuration with --sshd-config PATH"])
    }

    func testMissingIPv6AddressIsNamedByItsKey() {
        let dual = ClusterNode(name: "ha1", address: IPAddress("127.0.0.1")!, address6: IPAddress("fd00:251:1::12")!)
        let problems = SSHDCoordination(node: dual, configPath: "vipd.yaml", mainConfig: main)
            .problemsBeforeWriting(hostAddresses: [IPAddress("127.0.0.1")!])
        XCTAssertEqual(problems.map(\.fix), ["run this on ha1 itself (--node names this host's node), or correct cluster.nodes.ha1.address6"])
    }

    func testWritingTwiceLeavesTheFileAloneTheSecondTime() throws {
        let coordination = SSHDCoordination(node: node, configPath: "vipd.yaml", mainConfig: main)
        let first = try coordination.write(hostAddresses: [node.address], sshd: try sshd)
        XCTAssertEqual(first, SSHDSnippetWrite(path: coordination.snippetPath, backup: nil, changed: true, checkedBySSHD: true))
        let second = try coordination.write(hostAddresses: [node.address], sshd: try sshd)
        XCTAssertEqual(second, SSHDSnippetWrite(path: coordination.snippetPath, backup: nil, changed: false, checkedBySSHD: true))
        XCTAssertFalse(FileManager.default.fileExists(atPath: coordination.backupPath))
        XCTAssertEqual(try String(contentsOfFile: coordination.snippetPath, encoding: .utf8), coordination.snippet)
    }

    func testWithoutSSHDTheSnippetIsWrittenUnchecked() throws {
        let coordination = SSHDCoordination(node: node, configPath: "vipd.yaml", mainConfig: main)
        let result = try coordination.write(hostAddresses: [node.address], sshd: directory.file("no-sshd").path)
        XCTAssertTrue(result.changed)
        XCTAssertFalse(result.checkedBySSHD)
    }

    func testSSHDConfigTestVerdicts() throws {
        XCTAssertEqual(SSHDConfigTest.run(mainConfig: main, sshd: try sshd), .accepted)
        try "NoSuchKeyword yes\n".write(toFile: directory.file("bad").path, atomically: true, encoding: .utf8)
        guard case .rejected(let message) = SSHDConfigTest.run(mainConfig: directory.file("bad").path, sshd: try sshd) else {
            return XCTFail("sshd -t accepted an unknown keyword")
        }
        XCTAssertTrue(message.contains("NoSuchKeyword"), message)
        XCTAssertEqual(SSHDConfigTest.run(mainConfig: main, sshd: "/nonexistent/sshd"), .sshdMissing)
    }
}
