import VipdConfig
import XCTest

/// `vrrp.NAME.track.files` and `track.processes`: both forms, defaults, and each error.
final class TrackFilesAndProcessesConfigTests: XCTestCase {
    private func config(track: String) -> String {
        """
        cluster:
          nodes:
            ha0: { address: 10.0.0.1, priority: 100 }
        vrrp:
          VI_1:
            interface: eth0
            router_id: 51
            virtual_addresses: [10.0.0.100/24]
            track:
        \(track)
        listeners:
          ssh: { bind: 10.0.0.100:22, pool: ssh }
        pools:
          ssh: { servers: "nodes:22" }
        """
    }

    private func track(_ yaml: String, file: StaticString = #filePath, line: UInt = #line) -> [TrackedObjectConfig]? {
        parseValid(config(track: yaml), file: file, line: line)?.vrrp.first?.track
    }

    private func assertErrors(_ track: String, _ expected: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(configErrors(config(track: track), file: file, line: line).map(\.description), expected, file: file, line: line)
    }

    func testFilesAsListAndMapping() {
        XCTAssertEqual(
            track("      files: [/run/vipd/down]"), [TrackedObjectConfig(kind: .file, name: "/run/vipd/down", weight: 0)])
        XCTAssertEqual(
            track("      files: { /run/vipd/priority: 1, /etc/vipd/bias: -2 }"),
            [
                TrackedObjectConfig(kind: .file, name: "/run/vipd/priority", weight: 1),
                TrackedObjectConfig(kind: .file, name: "/etc/vipd/bias", weight: -2),
            ])
    }

    func testAFileNeedsAnAbsolutePath() {
        assertErrors(
            "      files: [run/down, /run/dir/]",
            [
                #"vipd.yaml:10:15: vrrp.VI_1.track.files.run/down: "run/down" is not an absolute file path: give the file like /run/vipd/priority"#,
                #"vipd.yaml:10:25: vrrp.VI_1.track.files./run/dir/: "/run/dir/" is not an absolute file path: give the file like /run/vipd/priority"#,
            ])
        assertErrors(
            "      files: [/run/a, /run/a]",
            ["vipd.yaml:10:23: vrrp.VI_1.track.files./run/a: /run/a is listed twice"])
        assertErrors(
            "      files: { /run/a: 255 }",
            ["vipd.yaml:10:24: vrrp.VI_1.track.files./run/a: 255 is out of range: must be between -254 and 254"])
    }

    func testProcessesAsMappingAndList() {
        XCTAssertEqual(
            track("      processes: { haproxy: -50, nginx: 0 }"),
            [
                TrackedObjectConfig(kind: .process, name: "haproxy", weight: -50),
                TrackedObjectConfig(kind: .process, name: "nginx", weight: 0),
            ])
        XCTAssertEqual(
            track(
                """
                      processes:
                        - sshd
                        - { name: nginx, weight: -20, min: 2, max: 8 }
                        - { name: "Web Content", max: 0 , min: 0 }
                        - { name: php-fpm8.2 }
                """),
            [
                TrackedObjectConfig(kind: .process, name: "sshd", weight: 0),
                TrackedObjectConfig(kind: .process, name: "nginx", weight: -20, minimum: 2, maximum: 8),
                TrackedObjectConfig(kind: .process, name: "Web Content", weight: 0, minimum: 0, maximum: 0),
                TrackedObjectConfig(kind: .process, name: "php-fpm8.2", weight: 0),
            ])
    }

    func testProcessErrors() {
        assertErrors(
            "      processes: [{ name: nginx, min: 3, max: 2 }]",
            ["vipd.yaml:10:47: vrrp.VI_1.track.processes[0].max: max 2 is below min 3: no count of processes would do"])
        assertErrors(
            "      processes: [{ name: nginx, min: 0 }]",
            [
                "vipd.yaml:10:39: vrrp.VI_1.track.processes[0].min: min 0 without max is met by any count of processes: give min 1 or more, or a max (max: 0 fails while one runs)"
            ])
        assertErrors(
            "      processes: [{ weight: -10, count: 2 }]",
            [
                #"vipd.yaml:10:19: vrrp.VI_1.track.processes[0]: missing required key "name""#,
                #"vipd.yaml:10:34: vrrp.VI_1.track.processes[0].count: unknown key "count" (allowed keys: name, weight, min, max)"#,
            ])
        assertErrors(
            "      processes: [nginx, { name: nginx, weight: -5 }]",
            [#"vipd.yaml:10:34: vrrp.VI_1.track.processes[1]: process "nginx" is listed twice"#])
        assertErrors(
            "      processes: { nginx: -300 }",
            ["vipd.yaml:10:27: vrrp.VI_1.track.processes.nginx: -300 is out of range: must be between -254 and 254"])
    }
}
