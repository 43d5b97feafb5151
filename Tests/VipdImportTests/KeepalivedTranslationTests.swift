import VipdConfig
import VipdCore
@testable import VipdImport
import XCTest

/// keepalived.conf translated field by field; cluster nodes inferred by the documented rule.
final class KeepalivedTranslationTests: XCTestCase {
    private func importing(_ keepalived: [String], haproxy: String = Fixture.sshProxy, nodes: [NodeAddress] = []) throws -> ImportResult {
        let result = try Fixture.importing(haproxy: haproxy, keepalived: keepalived, nodes: nodes)
        Fixture.assertLoads(result)
        return result
    }

    private static let fullInstance = """
        global_defs {
          vrrp_version 3
          vrrp_garp_master_repeat 3
        }
        vrrp_script chk_disk {
          script "test -w /var/lib/app"
          interval 5
          fall 3
          weight -30
          user nobody
        }
        vrrp_instance VI_9 {
          interface eth1
          virtual_router_id 9
          priority 150
          advert_int 0.5
          preempt_delay 30
          unicast_src_ip 192.168.2.230
          unicast_peer {
            192.168.2.231
          }
          virtual_ipaddress {
            192.168.2.232/24 dev eth1
            192.168.2.233 label eth1:1
          }
          track_interface {
            eth2 weight -20
          }
          track_script {
            chk_disk
          }
          notify_master "/usr/local/bin/up" root
          notify "/usr/local/bin/any"
          garp_master_delay 10
          dont_track_primary
        }
        """

    /// An input of the fuzz-keepalived harness (kept in its corpus): an advert_int too long for 64
    /// bits of milliseconds used to trap; it is a statement not carried.
    func testOverlongAdvertIntervalIsListedNotATrap() throws {
        let result = try importing([Self.fullInstance.replacingOccurrences(of: "advert_int 0.5", with: "advert_int 99999999999999999")])
        XCTAssertTrue(result.notes.contains { $0.directive == "advert_int 99999999999999999" }, "\(result.notes)")
    }

    func testInstanceFieldsScriptsAndNotify() throws {
        let result = try importing([Self.fullInstance])
        let instance = try XCTUnwrap(result.configuration.vrrp.first)
        XCTAssertEqual(instance.name, "VI_9")
        XCTAssertEqual(instance.interface, "eth1")
        XCTAssertEqual(instance.virtualRouterID, 9)
        XCTAssertEqual(instance.version, 3)
        XCTAssertEqual(instance.advertisementInterval, .milliseconds(500))
        XCTAssertEqual(instance.preemptDelay, .seconds(30))
        XCTAssertTrue(instance.unicast)
        XCTAssertEqual(instance.virtualAddresses.map(\.description), ["192.168.2.232/24", "192.168.2.233/32"])
        XCTAssertEqual(
            instance.track,
            [TrackedObjectConfig(kind: .interface, name: "eth2", weight: -20), TrackedObjectConfig(kind: .script, name: "chk_disk", weight: -30)])
        XCTAssertEqual(instance.announcements, AnnouncementConfig(count: 3, interval: .zero, repeatAfter: .seconds(10)))
        XCTAssertEqual(instance.notify, NotifyConfig(master: "/usr/local/bin/up", any: "/usr/local/bin/any"))
        XCTAssertEqual(
            result.configuration.trackScripts,
            [TrackScriptConfig(name: "chk_disk", command: "test -w /var/lib/app", interval: .seconds(5), timeout: .seconds(5), fall: 3, rise: 1)])
        XCTAssertEqual(result.configuration.nodes.map(\.name), ["ha0", "ha1"])
        XCTAssertEqual(result.configuration.nodes.map(\.priority), [150, 140])
        let notes = result.notes.filter { $0.location.file == "keepalived-1.conf" }
        let byLine = Dictionary(grouping: notes, by: \.location.line).mapValues { $0.map(\.reason) }
        XCTAssertEqual(byLine[10], ["vipd runs track scripts as its own user"])
        XCTAssertEqual(byLine[24], ["\"label eth1:1\" not carried: vipd adds the address to the instance's interface (eth1) with no further options"])
        XCTAssertEqual(byLine[32], ["the user and group are not carried: vipd runs notify commands as its own user"])
        XCTAssertTrue(byLine[33]?.first?.hasPrefix("carried as notify.any") ?? false)
        XCTAssertTrue(byLine[35]?.first?.hasPrefix("vipd always tracks the instance's interface") ?? false)
    }

    func testGARPRefreshAndItsRepeatCarriedFromTheInstanceOrGlobalDefs() throws {
        let result = try importing([
            """
            global_defs {
              vrrp_garp_master_refresh 30
              vrrp_garp_master_refresh_repeat 3
            }
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              virtual_ipaddress { 192.168.2.232/24 }
              garp_master_refresh 60
              garp_master_refresh_repeat 2
            }
            vrrp_instance VI_2 {
              interface eth0
              virtual_router_id 52
              virtual_ipaddress { 192.168.2.233/24 }
            }
            vrrp_instance VI_3 {
              interface eth0
              virtual_router_id 53
              virtual_ipaddress { 192.168.2.234/24 }
              garp_master_refresh 0
              garp_master_refresh_repeat 0
            }
            """
        ])
        let garp = result.configuration.vrrp.map(\.announcements)
        XCTAssertEqual(garp.map(\.refresh), [.seconds(60), .seconds(30), nil])
        XCTAssertEqual(garp.map(\.refreshCount), [2, 3, 3])
        XCTAssertTrue(result.yaml.contains("garp: { count: 5, interval: 0s, repeat_after: 5s, refresh: 1m, refresh_count: 2 }"), result.yaml)
        let byLine = Dictionary(grouping: result.notes, by: \.location.line).mapValues { $0.map(\.reason) }
        XCTAssertEqual(
            byLine[2], ["carried as garp.refresh 30s: vipd announces every 30s from becoming master, keepalived with the first advert after it"])
        XCTAssertEqual(byLine[22], ["expected a count 1-100; not carried"], "keepalived's default of 1 at least")
        XCTAssertNil(byLine[21], "0 is off, as in keepalived")
    }

    func testASubSecondGARPRefreshIsASecond() throws {
        let result = try importing([
            "vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\nvirtual_ipaddress { 192.168.2.232/24 }\ngarp_master_refresh 0.5\n}\n"
        ])
        XCTAssertEqual(result.configuration.vrrp.first?.announcements.refresh, .seconds(1))
        XCTAssertEqual(result.notes.filter { $0.location.line == 5 }.map(\.reason), ["keepalived counts it in whole seconds: garp.refresh 1s"])
    }

    func testVersionDefaultsToTwoAndLongPasswordsAreCutWithoutShowingThem() throws {
        let result = try importing([
            """
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              virtual_ipaddress { 192.168.2.232/24 }
              authentication {
                auth_type PASS
                auth_pass VerySecret99
              }
            }
            """
        ])
        let instance = try XCTUnwrap(result.configuration.vrrp.first)
        XCTAssertEqual(instance.version, 2)
        XCTAssertEqual(instance.password, "VerySecr")
        XCTAssertTrue(result.yaml.contains("authentication: { password: 'VerySecr' }"), result.yaml)
        XCTAssertEqual(result.configuration.nodes.map(\.priority), [100, 90])
        let report = Fixture.lines(result).joined(separator: "\n")
        XCTAssertFalse(report.contains("VerySecr"), report)
        XCTAssertTrue(report.contains("keepalived-1.conf:7: auth_pass: 12 bytes long"), report)
    }

    func testIPv6AddressesMeanVersionThreeAndAHIsListed() throws {
        let haproxy = "frontend f\nbind [2001:db8::10]:22\ntimeout client 1h\ndefault_backend b\nbackend b\ntimeout server 1h\nserver s [2001:db8::1]:22 check\n"
        let result = try importing(
            ["vrrp_instance V6 {\ninterface eth0\nvirtual_router_id 7\nvirtual_ipaddress {\n2001:db8::10/64\n}\nauthentication {\nauth_type AH\nauth_pass x\n}\n}\n"],
            haproxy: haproxy)
        XCTAssertEqual(result.configuration.vrrp.first?.version, 3)
        XCTAssertNil(result.configuration.vrrp.first?.password)
        XCTAssertEqual(result.configuration.nodes.map(\.address.text), ["2001:db8::1"])
        XCTAssertEqual(result.notes.filter { $0.location.line == 8 || $0.location.line == 9 }.map(\.reason), [
            "VRRPv3 has no authentication (RFC 5798); not carried", "VRRPv3 has no authentication (RFC 5798); not carried",
        ])
    }

    func testHAProxyChecksWithWeightZeroAddNoTrackingAndOtherScriptsStay() throws {
        let result = try importing([
            """
            vrrp_script chk_haproxy {
              script "/usr/bin/killall -0 haproxy"
            }
            vrrp_script chk_pipe {
              script "pidof haproxy | grep 1"
            }
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              virtual_ipaddress { 192.168.2.232/24 }
              track_script {
                chk_haproxy
                chk_pipe weight 5
                chk_missing
              }
            }
            """
        ])
        XCTAssertEqual(result.configuration.vrrp.first?.track, [TrackedObjectConfig(kind: .script, name: "chk_pipe", weight: 5)])
        XCTAssertEqual(result.configuration.trackScripts.map(\.name), ["chk_pipe"])
        XCTAssertTrue(Fixture.lines(result).contains("keepalived-1.conf:14: chk_missing: no vrrp_script named chk_missing was carried"))
        XCTAssertTrue(Fixture.lines(result).contains { $0.hasPrefix("keepalived-1.conf:1: vrrp_script chk_haproxy: not carried: it only checks that haproxy runs") })
    }

    func testHAProxyCheckDetection() {
        let checks = [
            "pidof haproxy", "killall -0 haproxy", "/usr/bin/killall -0 haproxy", "pidof haproxy >/dev/null",
            "systemctl is-active --quiet haproxy.service", "systemctl is-active haproxy", "systemctl status haproxy",
            "pgrep -x haproxy", "/usr/bin/pgrep haproxy", "pkill -0 haproxy", "ps -C haproxy", "service haproxy status",
            "kill -0 $(cat /run/haproxy.pid)", "/bin/kill -0 `cat /var/run/haproxy.pid`", "kill -0 \"$(cat /run/haproxy.pid)\"",
            "kill -s 0 $(cat /run/haproxy/haproxy.pid)", "kill -0 $(< /run/haproxy.pid)", "kill -0 $(head -1 /run/haproxy.pid)",
            "kill -0 $(pidof haproxy)", "kill -0 $(pgrep -x haproxy) 2>/dev/null", "kill -0 $(cat /run/haproxy.pid) > /dev/null 2>&1",
            "test -d /proc/$(cat /run/haproxy.pid)", "[ -e /proc/`cat /run/haproxy.pid` ]",
            "/bin/sh -c 'kill -0 $(cat /run/haproxy.pid)'", "bash -c \"pidof haproxy\"", "pidof haproxy &>/dev/null",
        ]
        let others = [
            "pidof nginx", "pidof haproxy | grep 1", "test -f /run/haproxy.pid", "curl -f http://localhost/ && pidof haproxy",
            "haproxy", "kill -0 $(cat /run/nginx.pid)", "kill -9 $(cat /run/haproxy.pid)", "kill -0 $PID",
            "kill -0 $(cat /run/haproxy.pid); echo", "pidof haproxy nginx", "systemctl restart haproxy", "sh -c 'pidof nginx'",
            "pidof haproxy &", "kill -0 $(cat /run/haproxy.pid", "'pidof haproxy", "/etc/keepalived/check_haproxy.sh",
            "ps aux", "kill -0 $(cat /run/haproxy.pid | head -1)",
        ]
        XCTAssertEqual(checks.filter { !HAProxyLivenessCheck.matches($0) }, [])
        XCTAssertEqual(others.filter(HAProxyLivenessCheck.matches), [])
    }

    func testAPIDFileCheckOfHAProxyBecomesTrackingOfVipdsPools() throws {
        // The common pair: both nodes track a pid-file check; carried as it was, it would fail on both
        // nodes once haproxy is gone and leave the VIP with nobody.
        let result = try importing([
            """
            vrrp_script chk_haproxy {
              script "kill -0 $(cat /run/haproxy.pid)"
              interval 2
              weight -20
            }
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              priority 100
              virtual_ipaddress { 192.168.2.232/24 }
              track_script { chk_haproxy }
            }
            """
        ])
        XCTAssertEqual(result.configuration.trackScripts, [])
        XCTAssertEqual(result.configuration.vrrp.first?.track.map(\.kind), [.pool])
        XCTAssertEqual(result.configuration.vrrp.first?.track.map(\.weight), [-20])
        XCTAssertTrue(Fixture.lines(result).contains { $0.hasPrefix("keepalived-1.conf:1: vrrp_script chk_haproxy: not carried: it only checks that haproxy runs") })
    }

    func testACarriedScriptThatNamesHAProxyIsWarnedAboutOnStandardErrorAndInTheYAML() throws {
        let result = try importing([
            """
            vrrp_script chk_haproxy {
              script "/etc/keepalived/check_haproxy.sh"
            }
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              virtual_ipaddress { 192.168.2.232/24 }
              track_script { chk_haproxy }
            }
            """
        ])
        XCTAssertEqual(result.configuration.trackScripts.map(\.name), ["chk_haproxy"])
        XCTAssertTrue(
            Fixture.lines(result).contains("keepalived-1.conf:1: vrrp_script chk_haproxy: \(HAProxyLivenessCheck.stillNamesHAProxy)"),
            Fixture.lines(result).joined(separator: "\n"))
        XCTAssertTrue(result.yaml.contains("# \(HAProxyLivenessCheck.stillNamesHAProxy)"), result.yaml)
    }

    func testUnicastSourceAddressPlacesTheFileAndNopreemptOnOneNodeIsRemarked() throws {
        let instance = { (source: String, peer: String, priority: Int, extra: String) in
            "vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\npriority \(priority)\n\(extra)\nunicast_src_ip \(source)\nunicast_peer {\n\(peer)\n}\nvirtual_ipaddress { 192.168.2.232/24 }\n}\n"
        }
        let result = try importing([
            instance("192.168.2.231", "192.168.2.230", 90, "advert_int 2"),
            instance("192.168.2.230", "192.168.2.231", 100, "nopreempt"),
        ])
        XCTAssertEqual(result.configuration.nodes.map(\.name), ["ha1", "ha0"])
        XCTAssertEqual(result.configuration.nodes.map(\.priority), [90, 100])
        let vrrp = try XCTUnwrap(result.configuration.vrrp.first)
        XCTAssertFalse(vrrp.preempt)
        XCTAssertTrue(vrrp.unicast)
        XCTAssertEqual(vrrp.advertisementInterval, .seconds(2))
        let lines = Fixture.lines(result)
        XCTAssertTrue(lines.contains { $0.hasPrefix("keepalived-2.conf:1: vrrp_instance VI_1: advert_int differ from keepalived-1.conf:1") }, "\(lines)")
        XCTAssertTrue(lines.contains { $0.hasPrefix("keepalived-2.conf:5: nopreempt: in some nodes' files only") }, "\(lines)")
    }

    func testExplicitNodesWinAndMissingAddressesAreAnError() throws {
        let keepalived = "vrrp_instance VI_1 {\ninterface eth0\nvirtual_router_id 51\nvirtual_ipaddress { 10.9.9.9/32 }\n}\n"
        XCTAssertThrowsError(try Fixture.importing(haproxy: Fixture.sshProxy, keepalived: [keepalived])) { error in
            XCTAssertTrue("\(error)".contains("--node ha0="), "\(error)")
        }
        let result = try importing(
            [keepalived, keepalived],
            nodes: [NodeAddress(parsing: "lb1=10.9.9.1")!, NodeAddress(parsing: "lb2=10.9.9.2")!])
        XCTAssertEqual(result.configuration.nodes, [
            ClusterNode(name: "lb1", address: IPAddress("10.9.9.1")!), ClusterNode(name: "lb2", address: IPAddress("10.9.9.2")!),
        ])
        XCTAssertThrowsError(try Fixture.importing(haproxy: Fixture.sshProxy, keepalived: [keepalived, keepalived, keepalived], nodes: [NodeAddress(parsing: "a=10.9.9.1")!])) { error in
            XCTAssertTrue("\(error)".hasPrefix("keepalived-2.conf:1: 3 keepalived files but only 1 node address(es) found"), "\(error)")
        }
    }

    func testUnknownTopLevelBlocksAreListedOnceWithTheirHeader() throws {
        let result = try importing([
            """
            vrrp_sync_group G {
              group { VI_1 }
            }
            include /etc/keepalived/conf.d/*.conf
            vrrp_instance VI_1 {
              interface eth0
              virtual_router_id 51
              virtual_ipaddress { 192.168.2.232/24 }
              weird_option 1
            }
            """
        ])
        let notes = result.notes.filter { $0.location.file == "keepalived-1.conf" }
        let byLine = Dictionary(grouping: notes, by: \.location.line).mapValues { $0.map(\.reason) }
        XCTAssertEqual(byLine[1], ["a vipd sync group needs two or more carried instances (found: VI_1); not carried"])
        XCTAssertNil(byLine[2])
        XCTAssertEqual(byLine[4], ["not followed: vipd import reads only the files it is given (pass one keepalived.conf per node)"])
        XCTAssertEqual(byLine[9], ["vipd has no equivalent; not carried"])
    }
}
