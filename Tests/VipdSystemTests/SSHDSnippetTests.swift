import Foundation
import VipdConfig
import VipdCore
import VipdSystem
import XCTest

/// The snippet renderer, and the template and examples in `sshd-snippets/` that must match it.
final class SSHDSnippetTests: XCTestCase {
    private let ha0 = ClusterNode(name: "ha0", address: IPAddress("192.168.2.230")!, priority: 100)
    private let ha1 = ClusterNode(name: "ha1", address: IPAddress("192.168.2.231")!, priority: 90)
    private let dualStack = ClusterNode(name: "ha0", address: IPAddress("192.168.2.230")!, address6: IPAddress("2001:db8::230")!)

    /// `sshd-snippets/NAME` in the source tree.
    private func repositoryFile(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("sshd-snippets/\(name)"), encoding: .utf8)
    }

    func testSeed001Node() {
        XCTAssertEqual(
            SSHDSnippet.render(node: ha0, configPath: "/etc/vipd/vipd.yaml"),
            """
            # Written by `vipd sshd-snippet` for node ha0 of /etc/vipd/vipd.yaml. Regenerate it with:
            #   vipd sshd-snippet --config /etc/vipd/vipd.yaml --node ha0 --write
            # sshd listens only on this host's own address(es), so that port 22 of the virtual IP
            # is free for vipd (a wildcard listener, 0.0.0.0:22 or [::]:22, would hold it).
            # Keep ListenAddress and AddressFamily out of sshd_config and the other files here:
            # ListenAddress values add up, and the first AddressFamily sshd reads wins.
            AddressFamily inet
            ListenAddress 192.168.2.230

            """)
    }

    func testDualStackAndIPv6OnlyNodes() {
        let both = SSHDSnippet.render(node: dualStack, configPath: "/etc/vipd/vipd.yaml")
        XCTAssertTrue(both.hasSuffix("AddressFamily any\nListenAddress 192.168.2.230\nListenAddress 2001:db8::230\n"), both)
        let v6 = SSHDSnippet.render(node: ClusterNode(name: "edge", address: IPAddress("2001:db8::7")!), configPath: "c.yaml")
        XCTAssertTrue(v6.hasSuffix("AddressFamily inet6\nListenAddress 2001:db8::7\n"), v6)
    }

    func testAnotherMainConfigIsPartOfTheRegenerateCommand() {
        let text = SSHDSnippet.render(node: ha1, configPath: "vipd.yaml", mainConfig: "/tmp/lab/sshd_config")
        XCTAssertTrue(
            text.contains("#   vipd sshd-snippet --config vipd.yaml --node ha1 --write --sshd-config /tmp/lab/sshd_config\n"), text)
    }

    func testAddressFamilyForAddresses() {
        XCTAssertEqual(SSHDAddressFamily(for: [IPAddress("10.0.0.1")!]), .inet)
        XCTAssertEqual(SSHDAddressFamily(for: [IPAddress("::1")!]), .inet6)
        XCTAssertEqual(SSHDAddressFamily(for: [IPAddress("10.0.0.1")!, IPAddress("::1")!]), .any)
    }

    func testSnippetPathIsBesideTheMainConfig() {
        XCTAssertEqual(SSHDSnippet.path(forMainConfig: "/etc/ssh/sshd_config"), "/etc/ssh/sshd_config.d/01-vipd.conf")
        XCTAssertEqual(SSHDSnippet.path(forMainConfig: "/tmp/x/main.conf"), "/tmp/x/sshd_config.d/01-vipd.conf")
        XCTAssertEqual(SSHDSnippet.path(forMainConfig: "sshd_config"), "./sshd_config.d/01-vipd.conf")
    }

    func testTemplateFileIsTheBuiltInTemplate() throws {
        XCTAssertEqual(try repositoryFile("01-vipd.conf.template"), SSHDSnippet.template)
    }

    func testExamplesAreWhatTheRendererWrites() throws {
        XCTAssertEqual(try repositoryFile("examples/ha0-01-vipd.conf"), SSHDSnippet.render(node: ha0, configPath: "/etc/vipd/vipd.yaml"))
        XCTAssertEqual(try repositoryFile("examples/ha1-01-vipd.conf"), SSHDSnippet.render(node: ha1, configPath: "/etc/vipd/vipd.yaml"))
        XCTAssertEqual(
            try repositoryFile("examples/dual-stack-01-vipd.conf"), SSHDSnippet.render(node: dualStack, configPath: "/etc/vipd/vipd.yaml"))
    }
}
