import VipdConfig
import XCTest

/// Unknown, duplicate and missing keys, wrong types, syntax errors and unreadable files.
final class StructureErrorTests: XCTestCase {
    func testUnknownKeySuggestsTheClosestOne() {
        let yaml = """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: ssh }
            pools:
              ssh:
                servers:
                  - { address: 127.0.0.1:22 }
                check:
                  intervall: 2s
            """
        assertSingleError(
            yaml, line: 8, column: 7, keyPath: "pools.ssh.check.intervall",
            message: #"unknown key "intervall" (did you mean "interval"?)"#)
    }

    func testUnknownKeyListsTheAllowedKeys() {
        assertSingleError(
            minimalConfig("frobnicate: 1"), line: 7, column: 1, keyPath: "frobnicate",
            message: #"unknown key "frobnicate" (allowed keys: cluster, global, vrrp, sync_groups, track_scripts, listeners, pools, stats)"#)
    }

    func testDuplicateKeyInAFlowMapping() {
        let yaml = """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: ssh, pool: ssh }
            pools:
              ssh: { servers: [{ address: 127.0.0.1:22 }] }
            """
        assertSingleError(
            yaml, line: 2, column: 43, keyPath: "listeners.ssh.pool",
            message: #"duplicate key "pool" (first at line 2, column 32)"#)
    }

    func testDuplicateKeysDoNotHideOtherErrors() {
        let yaml = """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: ssh }
            pools:
              ssh:
                servers: [{ address: 127.0.0.1:22 }]
                balance: leastconn
                balance: source
                "balance": roundrobin
              other:
                servers: [{ address: 127.0.0.1:23 }]
            pools:
              bogus: {}
            global: { log_level: loud }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:7:5: pools.ssh.balance: duplicate key "balance" (first at line 6, column 5)"#,
                #"vipd.yaml:8:5: pools.ssh.balance: duplicate key "balance" (first at line 6, column 5)"#,
                #"vipd.yaml:11:1: pools: duplicate key "pools" (first at line 3, column 1)"#,
                #"vipd.yaml:13:22: global.log_level: invalid value "loud"; use one of: trace, debug, info, notice, warning, error, critical"#,
            ])
    }

    func testWrongTypes() {
        let yaml = """
            listeners:
              ssh: { bind: [127.0.0.1:2222], pool: ssh, maxconn: "10", retries: 1.5 }
            pools:
              ssh:
                servers:
                  - { address: 127.0.0.1:22, backup: yes, weight: }
                  - 127.0.0.1:23
                check: [tcp]
            cluster: nodes
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:2:16: listeners.ssh.bind: expected a string, got a list"#,
                #"vipd.yaml:2:54: listeners.ssh.maxconn: expected an integer, got "10""#,
                #"vipd.yaml:2:69: listeners.ssh.retries: expected an integer, got "1.5""#,
                #"vipd.yaml:6:42: pools.ssh.servers[0].backup: expected a boolean (true or false), got "yes""#,
                #"vipd.yaml:6:55: pools.ssh.servers[0].weight: expected an integer, got an empty value"#,
                #"vipd.yaml:7:9: pools.ssh.servers[1]: expected a mapping, got "127.0.0.1:23""#,
                #"vipd.yaml:8:12: pools.ssh.check: expected a mapping, got a list"#,
                #"vipd.yaml:9:10: cluster: expected a mapping, got "nodes""#,
            ])
    }

    func testTaggedValuesAreText() {
        let yaml = """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: ssh, maxconn: !!str 10 }
            pools:
              ssh:
                servers: [{ address: 127.0.0.1:22, backup: !!str true }]
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:2:52: listeners.ssh.maxconn: expected an integer, got "10""#,
                #"vipd.yaml:5:48: pools.ssh.servers[0].backup: expected a boolean (true or false), got "true""#,
            ])
    }

    func testAliasesRepeatTheNodeTheirAnchorNames() {
        let yaml = """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: a }
              web: { bind: 127.0.0.1:8080, pool: b }
            pools:
              a:
                servers: &servers
                  - { address: 127.0.0.1:22 }
                check: &check { timeout: 3s }
              b: { servers: *servers, check: *check }
            """
        XCTAssertEqual(parseValid(yaml)?.pools.map(\.check.timeout), [.seconds(3), .seconds(3)])
        assertSingleError(
            "listeners:\n  ssh: { bind: 127.0.0.1:2222, pool: *p }\n", line: 2, column: 38, keyPath: "",
            message: #"YAML syntax error: found undefined alias "p""#)
    }

    func testTopLevelMustBeAMapping() {
        assertSingleError("- a\n- b\n", line: 1, column: 1, keyPath: "", message: "expected a mapping, got a list")
    }

    func testMissingRequiredKeys() {
        let yaml = """
            listeners:
              ssh:
                bind: 127.0.0.1:2222
            cluster:
              nodes:
                ha0: { priority: 5 }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:1:1: missing required key "pools""#,
                #"vipd.yaml:2:3: listeners.ssh: missing required key "pool""#,
                #"vipd.yaml:6:5: cluster.nodes.ha0: missing required key "address""#,
            ])
    }

    func testEmptyFile() {
        assertSingleError(
            "# nothing yet\n", line: 1, column: 1, keyPath: "",
            message: #"the file is empty: it needs at least "listeners" and "pools""#)
    }

    func testYAMLSyntaxErrorHasAPosition() {
        let errors = configErrors("listeners:\n  ssh: { bind: 127.0.0.1:2222\npools: {}\n")
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.line, 3)
        XCTAssertEqual(errors.first?.column, 6)
        XCTAssertEqual(errors.first?.keyPath, "")
        XCTAssertTrue(errors.first?.message.hasPrefix("YAML syntax error: ") == true, errors.first?.message ?? "")

        let tab = configErrors("listeners:\n\tssh: {}\n")
        XCTAssertEqual(tab.map { [$0.line, $0.column] }, [[2, 1]])
    }

    func testByteOrderMarkIsIgnored() {
        XCTAssertNotNil(parseValid("\u{FEFF}" + minimalConfig()))
        assertSingleError(
            "\u{FEFF}" + minimalConfig("bogus: 1"), line: 7, column: 1, keyPath: "bogus",
            message: #"unknown key "bogus" (allowed keys: cluster, global, vrrp, sync_groups, track_scripts, listeners, pools, stats)"#)
    }

    func testMissingFile() {
        XCTAssertThrowsError(try ConfigLoader.load(contentsOf: "/nonexistent/vipd.yaml")) { error in
            XCTAssertEqual(
                (error as? ConfigErrors)?.description,
                "/nonexistent/vipd.yaml: cannot read the config file: No such file or directory")
        }
    }

    func testLoadReadsTheFile() throws {
        let path = NSTemporaryDirectory() + "vipd-config-test-\(getpid()).yaml"
        try FullExampleTests.example.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        XCTAssertEqual(
            try ConfigLoader.load(contentsOf: path), try ConfigLoader.parse(yaml: FullExampleTests.example, file: path))

        try "listeners: 1\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ConfigLoader.load(contentsOf: path)) { error in
            XCTAssertEqual(
                (error as? ConfigErrors)?.errors.map(\.description),
                [
                    "\(path):1:1: missing required key \"pools\"",
                    "\(path):1:12: listeners: expected a mapping, got \"1\"",
                ])
        }
    }

    func testManyErrorsInOneRun() {
        let yaml = """
            cluster:
              nodes:
                ha0: { address: 192.168.2.230:22 }
            listeners:
              ssh: { bind: 127.0.0.1:99999, pool: sshh, idle_timout: 1h }
            pools:
              ssh:
                balance: roundrobbin
                servers: nodes:22
                check: { kind: ssh-banner, expect: "(", fall: 0, path: /x }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:3:21: cluster.nodes.ha0.address: invalid address "192.168.2.230:22": must be an IP address without a port, like 192.168.2.230 or 2001:db8::1"#,
                #"vipd.yaml:5:16: listeners.ssh.bind: port 99999 is out of range: must be between 1 and 65535"#,
                #"vipd.yaml:5:39: listeners.ssh.pool: no pool named "sshh" in pools (did you mean "ssh"?)"#,
                #"vipd.yaml:5:45: listeners.ssh.idle_timout: unknown key "idle_timout" (did you mean "idle_timeout"?)"#,
                #"vipd.yaml:8:14: pools.ssh.balance: invalid value "roundrobbin" (did you mean "roundrobin"?); use one of: roundrobin, leastconn, source"#,
                #"vipd.yaml:10:40: pools.ssh.check.expect: invalid regular expression "(": \#(regexError("("))"#,
                #"vipd.yaml:10:51: pools.ssh.check.fall: 0 is out of range: must be at least 1"#,
                #"vipd.yaml:10:54: pools.ssh.check.path: "path" only applies to kind http, not ssh-banner"#,
            ])
    }

    /// The message Swift's `Regex` gives for `pattern`.
    private func regexError(_ pattern: String) -> String {
        do {
            _ = try Regex(pattern)
            return ""
        } catch {
            return "\(error)"
        }
    }
}
