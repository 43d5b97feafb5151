import VipdConfig
@testable import VipdImport
import XCTest

/// keepalived's `vrrp_sync_group`, `vrrp_track_file` / `track_file` and `vrrp_track_process`, and
/// the instances' `track_file` and `track_process`, translated to vipd's keys with notes.
final class KeepalivedSyncGroupAndTrackingTests: XCTestCase {
    private func importing(_ keepalived: String) throws -> ImportResult {
        let result = try Fixture.importing(haproxy: Fixture.sshProxy, keepalived: [keepalived])
        Fixture.assertLoads(result)
        return result
    }

    /// The notes of keepalived-1.conf by line.
    private func notes(_ result: ImportResult) -> [Int: [String]] {
        Dictionary(grouping: result.notes.filter { $0.location.file == "keepalived-1.conf" }, by: \.location.line)
            .mapValues { $0.map(\.reason) }
    }

    private static func instance(_ name: String, _ interface: String, _ vrid: Int, _ vip: String, _ body: String = "") -> String {
        """
        vrrp_instance \(name) {
          interface \(interface)
          virtual_router_id \(vrid)
          virtual_ipaddress { \(vip) }
        \(body)
        }
        """
    }

    func testTrackFilesAndProcesses() throws {
        let result = try importing(
            """
            vrrp_track_file prio {
              file "/run/keepalived/prio"
              init_file 0 overwrite
            }
            track_file down {
              file /run/keepalived/down
              weight 0
            }
            vrrp_track_process nginx {
              process nginx -g "daemon off;"
              weight -20 reverse
              quorum 2
              quorum_max 8
              delay 0.5
              full_command
            }
            vrrp_track_process ssh {
              process sshd
            }
            """ + "\n"
                + Self.instance(
                    "VI_1", "eth0", 51, "192.168.2.232/24",
                    """
                      track_file {
                        prio
                        down
                        missing
                      }
                      track_process {
                        nginx
                        ssh weight -10
                      }
                    """))
        XCTAssertEqual(
            result.configuration.vrrp.first?.track,
            [
                TrackedObjectConfig(kind: .file, name: "/run/keepalived/prio", weight: 1),
                TrackedObjectConfig(kind: .file, name: "/run/keepalived/down", weight: 0),
                TrackedObjectConfig(kind: .process, name: "nginx", weight: -20, minimum: 2, maximum: 8),
                TrackedObjectConfig(kind: .process, name: "sshd", weight: -10),
            ])
        XCTAssertTrue(
            result.yaml.contains(
                "      files: { /run/keepalived/prio: 1, /run/keepalived/down: 0 }\n      processes: [{ name: nginx, weight: -20, min: 2, max: 8 }, { name: sshd, weight: -10, min: 1 }]"),
            result.yaml)
        let byLine = notes(result)
        XCTAssertTrue(byLine[3]?.first?.hasPrefix("vipd does not create or write the file; a missing file counts as 0") ?? false, "\(byLine)")
        XCTAssertEqual(byLine[10], ["the parameters are not compared: vipd counts every process named nginx, whatever its arguments"])
        XCTAssertEqual(byLine[11], ["\"reverse\" not carried: vipd has no reverse weights"])
        XCTAssertTrue(byLine[14]?.first?.hasPrefix("vipd counts the processes once a second and has no delay") ?? false, "\(byLine)")
        XCTAssertTrue(byLine[15]?.first?.hasPrefix("vipd compares the name with the process name") ?? false, "\(byLine)")
        XCTAssertEqual(byLine[27], ["no track_file named missing was carried"])
    }

    func testAFileOrAProcessThatCannotBeCarried() throws {
        let result = try importing(
            """
            vrrp_track_file relative {
              file prio
            }
            vrrp_track_file heavy {
              file /run/heavy
              weight 1000
            }
            vrrp_track_process none {
              quorum 2
            }
            vrrp_track_process odd {
              process app
              quorum 3
              quorum_max 2
            }
            """ + "\n"
                + Self.instance(
                    "VI_1", "eth0", 51, "192.168.2.232/24",
                    "  track_file {\n    relative\n    heavy\n  }\n  track_process {\n    none\n    odd\n  }"))
        XCTAssertEqual(result.configuration.vrrp.first?.track, [])
        let lines = Fixture.lines(result)
        for expected in [
            "keepalived-1.conf:2: file prio: expected an absolute file path; not carried",
            "keepalived-1.conf:1: vrrp_track_file relative: a track_file needs an absolute file path (file); not carried",
            "keepalived-1.conf:8: vrrp_track_process none: a vrrp_track_process needs a process; not carried",
            "keepalived-1.conf:11: vrrp_track_process odd: quorum_max 2 is below quorum 3; not carried",
            "keepalived-1.conf:22: heavy: weight 1000 is outside vipd's -254 to 254; not carried",
        ] {
            XCTAssertTrue(lines.contains(expected), "\(expected)\n\(lines.joined(separator: "\n"))")
        }
    }

    func testASyncGroupWithKeepalivedsRulesForItsMembersWeights() throws {
        let result = try importing(
            """
            vrrp_script chk {
              script "test -f /run/ok"
              weight -30
            }
            vrrp_track_file prio {
              file /run/prio
            }
            vrrp_sync_group gateway {
              group {
                outside
                inside
                nowhere
              }
              notify_master "/usr/local/bin/group-up"
            }
            """ + "\n"
                + Self.instance(
                    "outside", "eth0", 51, "192.168.2.232/24",
                    "  track_interface {\n    eth2 weight -20\n  }\n  track_script {\n    chk\n  }\n  track_file {\n    prio\n  }")
                + "\n" + Self.instance("inside", "eth1", 52, "10.1.0.1/24"))
        XCTAssertEqual(result.configuration.syncGroups, [SyncGroupConfig(name: "gateway", instances: ["outside", "inside"])])
        XCTAssertEqual(
            result.configuration.vrrp.first?.track,
            [
                TrackedObjectConfig(kind: .interface, name: "eth2", weight: 0),
                TrackedObjectConfig(kind: .file, name: "/run/prio", weight: 0),
            ])
        XCTAssertTrue(result.yaml.contains("sync_groups:\n  # keepalived-1.conf:8 vrrp_sync_group gateway\n  gateway: { instances: [outside, inside] }"), result.yaml)
        let byLine = notes(result)
        XCTAssertEqual(byLine[12], ["no vrrp_instance named nowhere was carried; not a member"])
        XCTAssertEqual(byLine[14], ["vipd runs notify commands per instance (vrrp.NAME.notify); move the command to the members' notify"])
        XCTAssertEqual(
            byLine[8],
            [
                "outside: keepalived ignores the weights of a sync group member's trackers (without sync_group_tracking_weight), and so does vipd: interface eth2 weight -20 becomes weight 0 (FAULT while it fails); script chk with weight -30 is not carried; file /run/prio weight 1 becomes weight 0 (FAULT while it fails)"
            ])
    }

    func testTrackingWeightsOrTheGroupsOwnWeightedTrackersMakeItLowest() throws {
        let weighted = try importing(
            """
            vrrp_sync_group gateway {
              group {
                VI_1
                VI_2
              }
              sync_group_tracking_weight
            }
            """ + "\n"
                + Self.instance("VI_1", "eth0", 51, "192.168.2.232/24", "  track_interface {\n    eth2 weight -20\n  }")
                + "\n" + Self.instance("VI_2", "eth1", 52, "10.1.0.1/24"))
        XCTAssertEqual(weighted.configuration.syncGroups.first?.priority, .lowest)
        XCTAssertEqual(weighted.configuration.vrrp.first?.track, [TrackedObjectConfig(kind: .interface, name: "eth2", weight: -20)])
        XCTAssertTrue(notes(weighted)[6]?.first?.hasPrefix("carried as priority: lowest") ?? false, "\(notes(weighted))")
        XCTAssertTrue(weighted.yaml.contains("gateway: { instances: [VI_1, VI_2], priority: lowest }"), weighted.yaml)

        let groupTracked = try importing(
            """
            vrrp_track_process app {
              process app
              weight -50
            }
            vrrp_sync_group gateway {
              group {
                VI_1
                VI_2
              }
              track_process {
                app
              }
              track_interface {
                eth3
              }
            }
            """ + "\n" + Self.instance("VI_1", "eth0", 51, "192.168.2.232/24") + "\n" + Self.instance("VI_2", "eth1", 52, "10.1.0.1/24"))
        XCTAssertEqual(groupTracked.configuration.syncGroups.first?.priority, .lowest)
        for instance in groupTracked.configuration.vrrp {
            XCTAssertEqual(
                instance.track,
                [
                    TrackedObjectConfig(kind: .interface, name: "eth3", weight: 0),
                    TrackedObjectConfig(kind: .process, name: "app", weight: -50),
                ], instance.name)
        }
        XCTAssertEqual(
            notes(groupTracked)[5],
            ["the group's own trackers with weights apply to every member: carried as priority: lowest with the trackers on each member"])
    }

    func testAGroupOfLessThanTwoCarriedInstancesIsListed() throws {
        let result = try importing(
            "vrrp_sync_group lonely {\n  group {\n    VI_1\n  }\n}\n" + Self.instance("VI_1", "eth0", 51, "192.168.2.232/24"))
        XCTAssertEqual(result.configuration.syncGroups, [])
        XCTAssertEqual(
            notes(result)[1], ["a vipd sync group needs two or more carried instances (found: VI_1); not carried"])
    }

    func testAnInstanceInTwoGroupsAndMembersThatDifferInNopreempt() throws {
        let result = try importing(
            """
            vrrp_sync_group first {
              group {
                VI_1
                VI_2
              }
            }
            vrrp_sync_group second {
              group {
                VI_2
                VI_3
              }
            }
            """ + "\n" + Self.instance("VI_1", "eth0", 51, "192.168.2.232/24", "  nopreempt") + "\n"
                + Self.instance("VI_2", "eth1", 52, "10.1.0.1/24") + "\n" + Self.instance("VI_3", "eth2", 53, "10.2.0.1/24"))
        XCTAssertEqual(result.configuration.syncGroups, [SyncGroupConfig(name: "first", instances: ["VI_1", "VI_2"])])
        XCTAssertEqual(result.configuration.vrrp.map(\.preempt), [false, false, true])
        let byLine = notes(result)
        XCTAssertEqual(byLine[9], ["VI_2 is in sync group first already (keepalived ignores it here too)"])
        XCTAssertEqual(byLine[7], ["a vipd sync group needs two or more carried instances (found: VI_3); not carried"])
        XCTAssertEqual(
            byLine[1],
            ["its members differ in nopreempt; vipd's members move together and share one setting: preempt: false for all of them"])
    }
}
