import VipdImport
import XCTest

/// haproxy.cfg read into sections and words with exact lines.
final class HAProxyConfigParserTests: XCTestCase {
    private func parse(_ text: String) throws -> HAProxyConfig {
        try HAProxyConfigParser.parse(SourceText(path: "h.cfg", text: text))
    }

    func testSeed001SectionsAndLines() throws {
        let config = try HAProxyConfigParser.parse(try Fixture.source("001-haproxy.cfg"))
        XCTAssertEqual(config.sections.map(\.header.text), ["global", "defaults", "frontend ssh_front", "backend ssh_back"])
        XCTAssertEqual(config.sections.map(\.header.location.line), [1, 8, 16, 20])
        let backend = config.sections[3]
        XCTAssertEqual(backend.name, "ssh_back")
        XCTAssertEqual(backend.directives.map(\.location.line), [21, 22, 23, 24, 26, 27, 28])
        XCTAssertEqual(backend.directives[3].words, ["tcp-check", "expect", "rstring", "^SSH-"])
        XCTAssertEqual(backend.directives[6].words, ["★6"])
        XCTAssertEqual(config.sections[2].directives[0].words, ["bind", "192.168.2.232:22", "★2"])
    }

    func testSeed000CommentsAreSkippedAndQuotesResolved() throws {
        let config = try HAProxyConfigParser.parse(try Fixture.source("000-haproxy.cfg"))
        XCTAssertEqual(
            config.sections.map(\.header.text), ["global", "defaults", "frontend main", "frontend stats", "backend app_backend"])
        XCTAssertEqual(config.sections[0].directives.first?.text, "log /dev/log local2")
        XCTAssertEqual(config.sections[0].directives.first?.location.line, 27)
        let last = try XCTUnwrap(config.sections[4].directives.last)
        XCTAssertEqual(last.location.line, 117)
        XCTAssertEqual(last.words[5], "text/html")
        XCTAssertEqual(config.allDirectives.count, 57)
    }

    func testQuotingEscapesAndComments() throws {
        let config = try parse(
            """
              # a comment line
            backend b   # trailing comment
            \thttp-check send meth GET uri /a\\ b hdr Host 'x # y'
            option httpchk GET / "HTTP/1.1\\r\\nHost: www"
            acl a path_beg /x\\#y # gone
            """)
        let directives = config.sections[0].directives
        XCTAssertEqual(config.sections[0].header.words, ["backend", "b"])
        XCTAssertEqual(directives[0].words, ["http-check", "send", "meth", "GET", "uri", "/a b", "hdr", "Host", "x # y"])
        XCTAssertEqual(directives[0].location, SourceLocation(file: "h.cfg", line: 3, column: 2))
        XCTAssertEqual(directives[1].words.last, "HTTP/1.1\r\nHost: www")
        XCTAssertEqual(directives[2].words, ["acl", "a", "path_beg", "/x#y"])
    }

    func testWindowsLineEndingsKeepLineNumbers() throws {
        let config = try parse("global\r\ndaemon\r\n\r\nlisten l\r\nbind :22\r\n")
        XCTAssertEqual(config.sections[1].directives[0].location.line, 5)
        XCTAssertEqual(config.sections[1].directives[0].words, ["bind", ":22"])
    }

    func testUnknownSectionsAreSectionsOfTheirOwn() throws {
        let config = try parse("userlist admins\nuser a password x\nbackend b\nserver s 10.0.0.1:1\n")
        XCTAssertEqual(config.sections[0].kind, .other("userlist"))
        XCTAssertEqual(config.sections[0].directives.map(\.keyword), ["user"])
        XCTAssertEqual(config.sections[1].kind, .backend)
    }

    func testNamedDefaultsAndFrom() throws {
        let config = try parse("defaults tcpish\nmode tcp\nfrontend f from tcpish\nbind :1\n")
        XCTAssertEqual(config.sections[0].name, "tcpish")
        XCTAssertEqual(config.sections[1].defaultsName, "tcpish")
    }

    func testUnterminatedQuoteNamesTheLine() {
        XCTAssertThrowsError(try parse("global\nlog \"/dev/log local0\nbackend b\n")) { error in
            XCTAssertEqual("\(error)", "h.cfg:2: unterminated quote: close it on the same line")
        }
    }

    func testKeywordOutsideAnySectionNamesTheLine() {
        XCTAssertThrowsError(try parse("# header\n\nmode tcp\n")) { error in
            XCTAssertEqual((error as? ImportError)?.location?.line, 3)
            XCTAssertTrue("\(error)".contains("outside any section"), "\(error)")
        }
    }

    func testProxyWithoutNameNamesTheLine() {
        XCTAssertThrowsError(try parse("defaults\nmode tcp\nbackend\n")) { error in
            XCTAssertEqual("\(error)", "h.cfg:3: \"backend\" needs a name, e.g. \"backend ssh\"")
        }
    }
}
