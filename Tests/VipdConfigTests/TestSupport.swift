import VipdConfig
import XCTest

/// The errors `ConfigLoader.parse` reports for `yaml` (fails the test when it parses).
func configErrors(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [ConfigError] {
    do {
        let configuration = try ConfigLoader.parse(yaml: yaml, file: "vipd.yaml")
        XCTFail("expected errors, parsed \(configuration)", file: file, line: line)
        return []
    } catch {
        return error.errors
    }
}

/// Asserts `yaml` fails with exactly one error, at `line`:`column`, with `keyPath` and `message`.
func assertSingleError(
    _ yaml: String, line: Int, column: Int, keyPath: String, message: String,
    file: StaticString = #filePath, testLine: UInt = #line
) {
    let errors = configErrors(yaml, file: file, line: testLine)
    XCTAssertEqual(
        errors, [ConfigError(file: "vipd.yaml", line: line, column: column, keyPath: keyPath, message: message)],
        file: file, line: testLine)
}

/// Parses `yaml`, failing the test with the reported errors when it does not parse.
func parseValid(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> VipdConfiguration? {
    do {
        return try ConfigLoader.parse(yaml: yaml, file: "vipd.yaml")
    } catch {
        XCTFail("unexpected errors:\n\(error)", file: file, line: line)
        return nil
    }
}

/// A minimal valid config: one listener and one pool, followed by `extra` lines.
func minimalConfig(_ extra: String = "") -> String {
    """
    listeners:
      ssh: { bind: 127.0.0.1:2222, pool: ssh }
    pools:
      ssh:
        servers:
          - { address: 127.0.0.1:22 }
    \(extra)
    """
}
