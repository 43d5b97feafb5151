import VipdImport
import XCTest

/// keepalived.conf read into a tree of statements with exact lines.
final class KeepalivedConfigParserTests: XCTestCase {
    private func parse(_ text: String) throws -> KeepalivedConfig {
        try KeepalivedConfigParser.parse(SourceText(path: "k.conf", text: text))
    }

    func testSeed001Tree() throws {
        let config = try KeepalivedConfigParser.parse(try Fixture.source("001-keepalived-ha0.conf"))
        XCTAssertEqual(config.statements.map(\.text), ["vrrp_script chk_haproxy", "vrrp_instance VI_1"])
        XCTAssertEqual(config.statements[0].block?.first?.words, ["script", "pidof haproxy >/dev/null"])
        let instance = try XCTUnwrap(config.statements[1].block)
        XCTAssertEqual(instance.map(\.keyword), [
            "state", "interface", "virtual_router_id", "priority", "advert_int", "authentication", "virtual_ipaddress",
            "track_script",
        ])
        XCTAssertEqual(instance[0].words, ["state", "MASTER", "★1"])
        XCTAssertEqual(instance[5].location.line, 14)
        XCTAssertEqual(instance[5].block?.map(\.text), ["auth_type PASS", "auth_pass MySecretPass"])
        XCTAssertEqual(instance[6].block?.first?.location, SourceLocation(file: "001-keepalived-ha0.conf", line: 20, column: 5))
        XCTAssertEqual(instance[7].block?.first?.words, ["chk_haproxy"])
    }

    func testSeed000CommentsAndNestedBlocks() throws {
        let config = try KeepalivedConfigParser.parse(try Fixture.source("000-keepalived-prslb01.conf"))
        XCTAssertEqual(config.statements.map(\.keyword), ["global_defs", "vrrp_script", "vrrp_instance"])
        let globals = try XCTUnwrap(config.statements[0].block)
        XCTAssertEqual(globals[1].keyword, "notification_email")
        XCTAssertEqual(globals[1].block?.map(\.text), ["root@localhost"])
        XCTAssertEqual(config.statements[2].location.line, 24)
        XCTAssertEqual(config.statements[2].block?.first { $0.keyword == "nopreempt" }?.location.line, 29)
        XCTAssertEqual(config.allStatements.count, 32)
    }

    func testOneLineBlocksCommentsAndQuotes() throws {
        let config = try parse(
            """
            ! keepalived comment
            vrrp_instance V{ virtual_ipaddress { 10.0.0.1/24 10.0.0.2 } # trailing
              notify "/bin/echo a#b !c" root
              auth_pass pa!ss#1
            }
            """)
        let instance = try XCTUnwrap(config.statements.first)
        XCTAssertEqual(instance.words, ["vrrp_instance", "V"])
        XCTAssertEqual(instance.location.line, 2)
        let block = try XCTUnwrap(instance.block)
        XCTAssertEqual(block[0].keyword, "virtual_ipaddress")
        XCTAssertEqual(block[0].block?.map(\.words), [["10.0.0.1/24", "10.0.0.2"]])
        XCTAssertEqual(block[1].words, ["notify", "/bin/echo a#b !c", "root"])
        XCTAssertEqual(block[2].words, ["auth_pass", "pa!ss#1"])
    }

    func testUnclosedBraceNamesTheLineThatOpensIt() {
        XCTAssertThrowsError(try parse("vrrp_instance VI_1 {\n  virtual_ipaddress {\n    10.0.0.1\n\n}\n")) { error in
            XCTAssertEqual(
                "\(error)", "k.conf:1: the \"{\" of \"vrrp_instance VI_1\" is never closed: add \"}\" where the block ends")
        }
    }

    func testStrayClosingBraceNamesItsLine() {
        XCTAssertThrowsError(try parse("global_defs {\n}\n}\n")) { error in
            XCTAssertEqual((error as? ImportError)?.location?.line, 3)
            XCTAssertTrue("\(error)".contains("closes nothing"), "\(error)")
        }
    }

    func testBlockWithoutKeywordAndUnterminatedQuote() {
        XCTAssertThrowsError(try parse("\n{\n}\n")) { error in
            XCTAssertEqual((error as? ImportError)?.location?.line, 2)
        }
        XCTAssertThrowsError(try parse("vrrp_script s {\n script \"pidof x\n}\n")) { error in
            XCTAssertEqual("\(error)", "k.conf:2: unterminated quote: close it on the same line")
        }
    }
}
