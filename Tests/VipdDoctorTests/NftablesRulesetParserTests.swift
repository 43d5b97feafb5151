import VipdDoctor
import XCTest

/// The nftables JSON reader on hand-written rulesets that `nft` itself never prints.
final class NftablesRulesetParserTests: XCTestCase {
    func testASetNamingItselfIsReadOnceInsteadOfForEver() throws {
        let json = """
            {"nftables": [
              {"table": {"family": "inet", "name": "t"}},
              {"set": {"family": "inet", "table": "t", "name": "loop", "type": "ipv4_addr",
                       "elem": ["@loop", "10.251.1.12", {"set": ["@loop"]}]}},
              {"chain": {"family": "inet", "table": "t", "name": "input", "type": "filter",
                         "hook": "input", "prio": 0, "policy": "accept"}},
              {"rule": {"family": "inet", "table": "t", "chain": "input", "handle": 3, "expr": [
                {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "@loop"}},
                {"drop": null}]}}
            ]}
            """
        let ruleset = try NftablesRulesetParser.parse(json: json)
        XCTAssertEqual(ruleset.chains.count, 1)
        XCTAssertEqual(ruleset.chains.values.first?.rules.count, 1)
        XCTAssertEqual(ruleset.chains.values.first?.rules.first?.action, .drop)
    }
}
