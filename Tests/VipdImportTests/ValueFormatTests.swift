@testable import VipdImport
import VipdConfig
import XCTest

/// haproxy times and addresses, keepalived seconds, and the YAML values written back.
final class ValueFormatTests: XCTestCase {
    func testHAProxyTimes() {
        XCTAssertEqual(HAProxyValues.time("2000"), .seconds(2))
        XCTAssertEqual(HAProxyValues.time("1500ms"), .milliseconds(1500))
        XCTAssertEqual(HAProxyValues.time("10s"), .seconds(10))
        XCTAssertEqual(HAProxyValues.time("1m"), .seconds(60))
        XCTAssertEqual(HAProxyValues.time("1h"), .seconds(3600))
        XCTAssertEqual(HAProxyValues.time("2d"), .seconds(172_800))
        XCTAssertEqual(HAProxyValues.time("1500us"), .milliseconds(2))
        XCTAssertNil(HAProxyValues.time("2x"))
        XCTAssertNil(HAProxyValues.time("s"))
        // More milliseconds than 64 bits hold used to trap; now malformed, listed as not carried.
        XCTAssertNil(HAProxyValues.time("99999999999999999s"))
        XCTAssertNil(HAProxyValues.time("106751991167301d"))
        XCTAssertEqual(HAProxyValues.time("9223372036854775807us"), .milliseconds(9_223_372_036_854_776))
        XCTAssertEqual(HAProxyValues.time("9223372036854775807"), .milliseconds(Int64.max))
    }

    func testKeepalivedSeconds() {
        XCTAssertEqual(KeepalivedTranslator.seconds("1"), .seconds(1))
        XCTAssertEqual(KeepalivedTranslator.seconds("0.5"), .milliseconds(500))
        XCTAssertEqual(KeepalivedTranslator.seconds("0.92"), .milliseconds(920))
        XCTAssertEqual(KeepalivedTranslator.seconds("2.125"), .milliseconds(2125))
        XCTAssertNil(KeepalivedTranslator.seconds("-1"))
        XCTAssertNil(KeepalivedTranslator.seconds("1."))
        XCTAssertNil(KeepalivedTranslator.seconds("a"))
        XCTAssertNil(KeepalivedTranslator.seconds("99999999999999999"), "more milliseconds than 64 bits hold used to trap")
        XCTAssertEqual(KeepalivedTranslator.seconds("9223372036854774.807"), .milliseconds(9_223_372_036_854_774_807))
    }

    func testBindAndServerAddresses() throws {
        func bind(_ text: String) -> [String]? { try? HAProxyValues.bindEndpoints(text).get().map(\.description) }
        XCTAssertEqual(bind("192.168.2.232:22"), ["192.168.2.232:22"])
        XCTAssertEqual(bind("*:80"), ["0.0.0.0:80"])
        XCTAssertEqual(bind(":80"), ["0.0.0.0:80"])
        XCTAssertEqual(bind(":::443"), ["[::]:443"])
        XCTAssertEqual(bind("ipv6@[2001:db8::1]:22,ipv4@10.0.0.1:22"), ["[2001:db8::1]:22", "10.0.0.1:22"])
        XCTAssertEqual(bind("2001:db8::1:22"), ["[2001:db8::1]:22"])
        XCTAssertNil(bind("unix@/run/x.sock"))
        XCTAssertNil(bind("10.0.0.1:0"))
        XCTAssertEqual(try HAProxyValues.serverEndpoint("[::1]:22").get().description, "[::1]:22")
        XCTAssertThrowsError(try HAProxyValues.serverEndpoint("*:22").get())
    }

    func testStatusLists() {
        XCTAssertEqual(HAProxyTranslator.statuses("200"), [200])
        XCTAssertEqual(HAProxyTranslator.statuses("200,204"), [200, 204])
        XCTAssertEqual(HAProxyTranslator.statuses("301-303,200"), [301, 302, 303, 200])
        XCTAssertNil(HAProxyTranslator.statuses("2xx"))
        XCTAssertNil(HAProxyTranslator.statuses("303-301"))
        XCTAssertNil(HAProxyTranslator.statuses("700"))
        XCTAssertEqual(HAProxyTranslator.escapedForRegex("a.b+(c)"), #"a\.b\+\(c\)"#)
    }

    /// Every string survives the trip through vipd's own loader, whatever it holds.
    func testScalarsReadBackUnchanged() throws {
        let texts = [
            "plain", "yes", "No", "null", "123", "1.5", "-x", "a: b", "it's", "#hash", "[list]", "{map}", "tab\there",
            "back\\slash \"q\"", "ünïcode", "ssh_back", "192.168.2.232:22", "^SSH-2\\.0-",
        ]
        for text in texts {
            for encoded in [YAMLScalar.plainOrQuoted(text), YAMLScalar.quoted(text)] {
                let yaml = "track_scripts:\n  s: { command: \(encoded) }\n"
                    + "listeners:\n  l: { bind: 127.0.0.1:2222, pool: p }\npools:\n  p: { servers: [{ address: 127.0.0.1:22 }] }\n"
                XCTAssertEqual(try ConfigLoader.parse(yaml: yaml, file: "t.yaml").trackScripts.first?.command, text, yaml)
            }
        }
    }
}
