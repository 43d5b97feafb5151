import VipdConfig
import XCTest

/// Invalid addresses, ports, numbers out of range, choices, patterns and check options.
final class ValueErrorTests: XCTestCase {
    func testBadAddresses() {
        let yaml = """
            listeners:
              a: { bind: "localhost:22", pool: p }
              b: { bind: "2001:db8::1:22", pool: p }
              c: { bind: 127.0.0.1, pool: p }
              d: { bind: "[127.0.0.1]:22", pool: p }
              e: { bind: 127.0.0.1:0, pool: p }
              f: { bind: "[::1]:65536", pool: p }
            pools:
              p: { servers: [{ address: 10.0.0.1:x }] }
            cluster:
              nodes:
                n1: { address: "[2001:db8::1]" }
            """
        let hint = "must be an IP address and port like 192.168.2.232:22 or [2001:db8::1]:22"
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:2:14: listeners.a.bind: invalid address "localhost:22": \#(hint)"#,
                #"vipd.yaml:3:14: listeners.b.bind: invalid address "2001:db8::1:22": \#(hint)"#,
                #"vipd.yaml:4:14: listeners.c.bind: invalid address "127.0.0.1": \#(hint)"#,
                #"vipd.yaml:5:14: listeners.d.bind: invalid address "[127.0.0.1]:22": \#(hint)"#,
                "vipd.yaml:6:14: listeners.e.bind: port 0 is out of range: must be between 1 and 65535",
                "vipd.yaml:7:14: listeners.f.bind: port 65536 is out of range: must be between 1 and 65535",
                #"vipd.yaml:9:29: pools.p.servers[0].address: invalid address "10.0.0.1:x": \#(hint)"#,
                #"vipd.yaml:12:20: cluster.nodes.n1.address: invalid address "[2001:db8::1]": must be an IP address without a port, like 192.168.2.230 or 2001:db8::1"#,
            ])
    }

    func testNumbersOutOfRange() {
        let yaml = """
            cluster:
              nodes:
                ha0: { address: 10.0.0.1, priority: 256 }
                ha1: { address: 10.0.0.2, priority: 0 }
            listeners:
              a: { bind: 127.0.0.1:80, pool: p, maxconn: 0, retries: 11 }
              b: { bind: 127.0.0.1:81, pool: p, retries: -1, maxconn: 99999999999999999999 }
            pools:
              p:
                servers: [{ address: 10.0.0.1:80, weight: 257 }, { address: 10.0.0.2:80, weight: -1 }]
                check: { fall: 0, rise: 0 }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                                "vipd.yaml:3:41: cluster.nodes.ha0.priority: 256 is out of range: must be between 1 and 255",
                "vipd.yaml:4:41: cluster.nodes.ha1.priority: 0 is out of range: must be between 1 and 255",
                "vipd.yaml:6:46: listeners.a.maxconn: 0 is out of range: must be at least 1",
                "vipd.yaml:6:58: listeners.a.retries: 11 is out of range: must be between 0 and 10",
                "vipd.yaml:7:46: listeners.b.retries: -1 is out of range: must be between 0 and 10",
                "vipd.yaml:7:59: listeners.b.maxconn: 99999999999999999999 is out of range: must be at least 1",
                "vipd.yaml:10:47: pools.p.servers[0].weight: 257 is out of range: must be between 0 and 256",
                "vipd.yaml:10:86: pools.p.servers[1].weight: -1 is out of range: must be between 0 and 256",
                "vipd.yaml:11:20: pools.p.check.fall: 0 is out of range: must be at least 1",
                "vipd.yaml:11:29: pools.p.check.rise: 0 is out of range: must be at least 1",
            ])
    }

    func testChoices() {
        let yaml = """
            global: { log_level: verbose }
            listeners:
              a: { bind: 127.0.0.1:80, pool: p, mode: udp }
            pools:
              p: { servers: [{ address: 10.0.0.1:80 }], balance: random, check: { kind: ssh } }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:1:22: global.log_level: invalid value "verbose"; use one of: trace, debug, info, notice, warning, error, critical"#,
                #"vipd.yaml:3:43: listeners.a.mode: invalid value "udp"; use one of: tcp, http"#,
                #"vipd.yaml:5:54: pools.p.balance: invalid value "random"; use one of: roundrobin, leastconn, source"#,
                #"vipd.yaml:5:77: pools.p.check.kind: invalid value "ssh"; use one of: tcp, ssh-banner, http, exec, none"#,
            ])
    }

    func testBadRegex() {
        let yaml = minimalConfig().replacingOccurrences(
            of: "- { address: 127.0.0.1:22 }",
            with: "- { address: 127.0.0.1:22 }\n    check: { kind: ssh-banner, expect: '^SSH-[' }")
        let errors = configErrors(yaml)
        XCTAssertEqual(errors.map { "\($0.line):\($0.column) \($0.keyPath)" }, ["7:40 pools.ssh.check.expect"])
        XCTAssertTrue(
            errors.first?.message.hasPrefix(#"invalid regular expression "^SSH-[": "#) == true,
            errors.first?.message ?? "")
    }

    func testOptionsOfAnotherCheckKind() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p:
                servers: [{ address: 10.0.0.1:80 }]
                check:
                  kind: http
                  expect: '^SSH'
              q:
                servers: [{ address: 10.0.0.1:80 }]
                check: { path: /health, expect_status: 200 }
              r:
                servers: [{ address: 10.0.0.1:80 }]
                check: { kind: none, host: example.com }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:7:7: pools.p.check.expect: "expect" only applies to kind ssh-banner, not http"#,
                #"vipd.yaml:10:14: pools.q.check.path: "path" only applies to kind http, not tcp"#,
                #"vipd.yaml:10:29: pools.q.check.expect_status: "expect_status" only applies to kind http, not tcp"#,
                #"vipd.yaml:13:26: pools.r.check.host: "host" only applies to kind http, not none"#,
            ])
    }

    func testExecCheckOptions() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p:
                servers: [{ address: 10.0.0.1:80 }]
                check: { kind: exec }
              q:
                servers: [{ address: 10.0.0.1:80 }]
                check: { kind: exec, command: "  ", path: /x }
              r:
                servers: [{ address: 10.0.0.1:80 }]
                check: { kind: tcp, command: /bin/true }
              s:
                servers: [{ address: 10.0.0.1:80 }]
                check: { kind: exec, command: [a, b] }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:5:12: pools.p.check: missing required key "command""#,
                "vipd.yaml:8:35: pools.q.check.command: command is empty: give the command to run through /bin/sh -c",
                #"vipd.yaml:8:41: pools.q.check.path: "path" only applies to kind http, not exec"#,
                #"vipd.yaml:11:25: pools.r.check.command: "command" only applies to kind exec, not tcp"#,
                "vipd.yaml:14:35: pools.s.check.command: expected a string, got a list",
            ])
    }

    func testHTTPCheckOptions() {
        let yaml = """
            listeners: { a: { bind: 127.0.0.1:80, pool: p } }
            pools:
              p:
                servers: [{ address: 10.0.0.1:80 }]
                check:
                  kind: http
                  method: get
                  path: ready
                  host: "a b"
                  expect_status: [200, 600, x]
              q:
                servers: [{ address: 10.0.0.1:80 }]
                check: { kind: http, expect_status: [] }
            """
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:7:15: pools.p.check.method: invalid HTTP method "get": use an upper-case method like GET or HEAD"#,
                #"vipd.yaml:8:13: pools.p.check.path: invalid path "ready": must start with "/" and contain no spaces"#,
                #"vipd.yaml:9:13: pools.p.check.host: invalid host "a b": must contain no spaces"#,
                "vipd.yaml:10:28: pools.p.check.expect_status[1]: 600 is out of range: must be between 100 and 599",
                #"vipd.yaml:10:33: pools.p.check.expect_status[2]: expected an integer, got "x""#,
                "vipd.yaml:13:41: pools.q.check.expect_status: expect_status needs at least one status",
            ])
    }

    func testInvalidNames() {
        let yaml = """
            listeners:
              "my listener": { bind: 127.0.0.1:80, pool: p }
              -x: { bind: 127.0.0.1:81, pool: p }
            pools:
              p: { servers: [{ address: 10.0.0.1:80 }] }
            """
        let rule = #"use letters, digits, ".", "_" and "-", starting with a letter or digit"#
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:2:3: listeners.my listener: invalid name "my listener": \#(rule)"#,
                #"vipd.yaml:3:3: listeners.-x: invalid name "-x": \#(rule)"#,
            ])
    }
}
