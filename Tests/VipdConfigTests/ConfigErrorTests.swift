import VipdConfig
import XCTest

final class ConfigErrorTests: XCTestCase {
    func testDescription() {
        let error = ConfigError(
            file: "vipd.yaml", line: 12, column: 17, keyPath: "pools.ssh.check.interval",
            message: #"invalid duration "2x" (use e.g. 500ms, 2s, 1m, 1h)"#)
        XCTAssertEqual(
            error.description,
            #"vipd.yaml:12:17: pools.ssh.check.interval: invalid duration "2x" (use e.g. 500ms, 2s, 1m, 1h)"#)
        XCTAssertEqual(
            ConfigError(file: "vipd.yaml", line: 3, column: 1, keyPath: "", message: "YAML syntax error").description,
            "vipd.yaml:3:1: YAML syntax error")
        XCTAssertEqual(
            ConfigError(file: "/etc/vipd.yaml", line: 0, column: 0, keyPath: "", message: "cannot read").description,
            "/etc/vipd.yaml: cannot read")
    }

    func testErrorsAreListedInFileOrder() {
        let errors = ConfigErrors([
            ConfigError(file: "f", line: 9, column: 1, keyPath: "c", message: "third"),
            ConfigError(file: "f", line: 2, column: 8, keyPath: "b", message: "second"),
            ConfigError(file: "f", line: 2, column: 3, keyPath: "a", message: "first"),
            ConfigError(file: "f", line: 9, column: 1, keyPath: "d", message: "fourth"),
        ])
        XCTAssertEqual(errors.description, "f:2:3: a: first\nf:2:8: b: second\nf:9:1: c: third\nf:9:1: d: fourth")
    }
}
