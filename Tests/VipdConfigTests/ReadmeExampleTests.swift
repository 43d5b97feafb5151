import Foundation
import VipdConfig
import XCTest

/// The configuration a new user copies from README.md ("## Minimal configuration") loads and
/// validates as `vipd check` would take it: no error and no warning.
final class ReadmeExampleTests: XCTestCase {
    static let heading = "## Minimal configuration"

    /// README.md at the top of the package, found from this file's path.
    static var readmePath: String {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // VipdConfigTests
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // the package
            .appendingPathComponent("README.md").path
    }

    /// The first ```yaml block under `heading`, before the next `## ` heading; nil when either is missing.
    static func minimalConfiguration(in readme: String) -> String? {
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == heading }) else {
            return nil
        }
        var block: [String]? = nil
        for line in lines[(start + 1)...] {
            if var collected = block {
                if line.hasPrefix("```") { return collected.joined(separator: "\n") + "\n" }
                collected.append(line)
                block = collected
            } else if line.hasPrefix("## ") {
                return nil
            } else if line.trimmingCharacters(in: .whitespaces) == "```yaml" {
                block = []
            }
        }
        return nil
    }

    func testTheMinimalConfigurationIsValidWithoutWarnings() throws {
        let readme = try String(contentsOfFile: Self.readmePath, encoding: .utf8)
        let yaml = try XCTUnwrap(
            Self.minimalConfiguration(in: readme),
            "README.md has no ```yaml block under \"\(Self.heading)\"")
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
        XCTAssertNil(Self.minimalConfiguration(in: "# vipd\n\n```yaml\na: 1\n```\n"))
        XCTAssertNil(Self.minimalConfiguration(in: "\(Self.heading)\n\ntext\n\n## Next\n\n```yaml\na: 1\n```\n"))
        XCTAssertEqual(Self.minimalConfiguration(in: "\(Self.heading)\n\n```yaml\na: 1\n```\n"), "a: 1\n")
    }
}
