import VipdConfig
import XCTest

/// `global.control_socket` in the configuration file.
final class ControlSocketConfigTests: XCTestCase {
    private func load(global: String) throws -> VipdConfiguration {
        let yaml = """
            listeners:
              ssh: { bind: 127.0.0.1:2222, pool: ssh }
            pools:
              ssh:
                servers: [{ name: a, address: 127.0.0.1:22 }]
            \(global)
            """
        return try ConfigLoader.parse(yaml: yaml, file: "vipd.yaml")
    }

    func testDefaultIsTheSystemdRuntimeDirectory() throws {
        XCTAssertEqual(try load(global: "").global.controlSocket, "/run/vipd/vipd.sock")
    }

    func testConfiguredPath() throws {
        XCTAssertEqual(try load(global: "global: { control_socket: /tmp/x/vipd.sock }").global.controlSocket, "/tmp/x/vipd.sock")
    }

    private func assertError(_ global: String, _ expected: String, line: UInt = #line) {
        XCTAssertThrowsError(try load(global: global), line: line) { error in
            XCTAssertTrue("\(error)".contains(expected), "\(error)", line: line)
        }
    }

    func testBadPathsAreErrorsWithTheirPlace() {
        assertError("global: { control_socket: run/vipd.sock }", "vipd.yaml:6:27: global.control_socket: 'run/vipd.sock' is not an absolute path")
        let long = "/" + String(repeating: "x", count: 107)
        assertError("global: { control_socket: \(long) }", "is 108 bytes long; a unix socket path has at most 107")
        assertError("global: { control_sockets: /x }", "control_sockets")
    }
}
