@testable import VipdConfig
import XCTest

/// The declaration of the file's keys: well formed, and the key paths each mapping stands for.
final class ConfigMappingTests: XCTestCase {
    func testPathsAndKeysAreUnique() {
        XCTAssertEqual(Set(ConfigMapping.allCases.map(\.path)).count, ConfigMapping.allCases.count)
        for mapping in ConfigMapping.allCases {
            XCTAssertEqual(Set(mapping.keys).count, mapping.keys.count, "a key twice in \(mapping.path)")
        }
    }

    /// The options a check kind owns are keys of the check.
    func testCheckKindOptionsAreCheckKeys() {
        for (option, _) in ConfigReader.kindOptions {
            XCTAssertTrue(ConfigMapping.healthCheck.keys.contains(option), option)
        }
    }

    func testNamesAndListPositionsMatch() {
        XCTAssertTrue(ConfigMapping.topLevel.matches(""))
        XCTAssertTrue(ConfigMapping.stats.matches("stats"))
        XCTAssertTrue(ConfigMapping.healthCheck.matches("pools.ssh.check"))
        XCTAssertTrue(ConfigMapping.server.matches("pools.web-2.servers[12]"))
        XCTAssertTrue(ConfigMapping.sorryPage.matches("listeners.web.http.sorry_page"))
    }

    /// A name may have dots: `NAME` stands for one or more parts.
    func testANameWithDotsMatches() {
        XCTAssertTrue(ConfigMapping.httpListener.matches("listeners.www.example.com.http"))
        XCTAssertTrue(ConfigMapping.clusterNode.matches("cluster.nodes.ha0.example.com"))
    }

    func testOtherPathsDoNotMatch() {
        XCTAssertFalse(ConfigMapping.topLevel.matches("pools"))
        XCTAssertFalse(ConfigMapping.pool.matches("pools"))
        XCTAssertFalse(ConfigMapping.healthCheck.matches("pools.web.servers[0].check"))
        XCTAssertFalse(ConfigMapping.server.matches("pools.web.servers"))
        XCTAssertFalse(ConfigMapping.server.matches("pools.web.servers[]"))
        XCTAssertFalse(ConfigMapping.server.matches("pools.web.servers[x]"))
        XCTAssertFalse(ConfigMapping.stats.matches("stats.auth"))
    }
}
