import Foundation
import VipdConfig
import VipdCore
import XCTest

/// The configuration a new user copies from README.md ("## Minimal configuration") loads and
/// validates as `vipd check` would take it: no error and no warning.
final class ReadmeExampleTests: XCTestCase {
    func testTheMinimalConfigurationIsValidWithoutWarnings() throws {
        let readme = try String(contentsOfFile: ReadmeMinimalConfiguration.readmePath, encoding: .utf8)
        let yaml = try XCTUnwrap(
            ReadmeMinimalConfiguration.text(in: readme),
            "README.md has no ```yaml block under \"\(ReadmeMinimalConfiguration.heading)\"")
        let configuration: VipdConfiguration
        do {
            configuration = try ConfigLoader.parse(yaml: yaml, file: "README.md")
        } catch {
            XCTFail("the README's minimal configuration does not pass vipd check:\n\(error)")
            return
        }
        XCTAssertEqual(configuration.warnings, [], "vipd check would warn about the README's minimal configuration")

        // It is the classic SSH VIP: two nodes, one VRRP instance tracking the pool, one ssh
        // listener on the VIP, the pool of both nodes' sshd with the SSH banner check.
        XCTAssertEqual(configuration.nodes.count, 2)
        XCTAssertEqual(configuration.vrrp.count, 1)
        XCTAssertEqual(configuration.listeners.count, 1)
        XCTAssertEqual(configuration.pools.count, 1)
        let pool = try XCTUnwrap(configuration.pools.first)
        XCTAssertEqual(configuration.listeners.first?.pool, pool.name)
        XCTAssertEqual(configuration.listeners.first?.bind.port, 22)
        XCTAssertEqual(
            pool.servers.map(\.endpoint), configuration.nodes.map { SocketEndpoint(address: $0.address, port: 22) })
        XCTAssertEqual(pool.check.kind, .sshBanner(pattern: HealthCheckKind.defaultSSHBannerPattern))
        XCTAssertEqual(
            configuration.vrrp.first?.track.filter { $0.kind == .pool }.map(\.name), [pool.name],
            "the VRRP instance tracks the pool")
    }

    func testAMissingHeadingOrBlockIsNoted() {
        XCTAssertNil(ReadmeMinimalConfiguration.text(in: "# vipd\n\n```yaml\na: 1\n```\n"))
        XCTAssertNil(ReadmeMinimalConfiguration.text(in: "\(ReadmeMinimalConfiguration.heading)\n\ntext\n\n## Next\n\n```yaml\na: 1\n```\n"))
        XCTAssertEqual(ReadmeMinimalConfiguration.text(in: "\(ReadmeMinimalConfiguration.heading)\n\n```yaml\na: 1\n```\n"), "a: 1\n")
    }
}
