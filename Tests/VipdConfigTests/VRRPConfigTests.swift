import VipdConfig
import VipdCore
import XCTest

/// The `vrrp` and `track_scripts` sections: defaults, every option, and each error `vipd check` reports.
final class VRRPConfigTests: XCTestCase {
    /// Two nodes, an ssh pool built from them, and `vrrp` (plus `extra` top-level lines).
    private func clusterConfig(vrrp: String, extra: String = "") -> String {
        """
        cluster:
          nodes:
            ha0: { address: 10.0.0.1, priority: 100 }
            ha1: { address: 10.0.0.2, priority: 50 }
        vrrp:
        \(vrrp)
        listeners:
          ssh: { bind: 10.0.0.100:22, pool: ssh }
        pools:
          ssh: { servers: "nodes:22", check: { kind: ssh-banner } }
        \(extra)
        """
    }

    func testDefaults() throws {
        let config = try XCTUnwrap(
            parseValid(clusterConfig(vrrp: "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24] }")))
        XCTAssertEqual(
            config.vrrp,
            [
                VRRPInstanceConfig(
                    name: "VI_1", interface: "eth0", virtualRouterID: 51, version: 3,
                    advertisementInterval: .seconds(1), preempt: true, preemptDelay: .zero, unicast: false,
                    password: nil, virtualAddresses: [IPPrefix(parsing: "10.0.0.100/24")!])
            ])
        XCTAssertEqual(
            config.vrrp[0].announcements, AnnouncementConfig(count: 5, interval: .zero, repeatAfter: .seconds(5), refresh: nil, refreshCount: 1))
        XCTAssertTrue(config.vrrp[0].notify.isEmpty)
        XCTAssertNil(config.vrrp[0].handoverTimeout)
    }

    func testEveryOption() throws {
        let yaml = clusterConfig(
            vrrp: """
                  VI_1:
                    interface: enp2s0
                    router_id: 51
                    version: 2
                    advert_interval: 2s
                    preempt: false
                    preempt_delay: 30s
                    unicast: true
                    authentication: { password: secret12 }
                    virtual_addresses: [10.0.0.100/24, 10.0.0.101]
                    track:
                      interfaces: [enp3s0]
                      pools: { ssh: -60 }
                      scripts: { chk: 10 }
                    garp: { count: 3, interval: 20ms, repeat_after: 0s, refresh: 60s, refresh_count: 2 }
                    notify: { master: "/usr/local/bin/on-master", any: "logger vipd" }
                    handover_timeout: 4s
                """,
            extra: """
                track_scripts:
                  chk: { command: "pidof sshd", interval: 1s, timeout: 500ms, fall: 3, rise: 1 }
                """)
        let config = try XCTUnwrap(parseValid(yaml))
        let instance = try XCTUnwrap(config.vrrp.first)
        XCTAssertEqual(instance.interface, "enp2s0")
        XCTAssertEqual(instance.version, 2)
        XCTAssertEqual(instance.advertisementInterval, .seconds(2))
        XCTAssertFalse(instance.preempt)
        XCTAssertEqual(instance.preemptDelay, .seconds(30))
        XCTAssertTrue(instance.unicast)
        XCTAssertEqual(instance.password, "secret12")
        XCTAssertEqual(instance.virtualAddresses.map(\.description), ["10.0.0.100/24", "10.0.0.101/32"])
        XCTAssertEqual(
            instance.track,
            [
                TrackedObjectConfig(kind: .interface, name: "enp3s0", weight: 0),
                TrackedObjectConfig(kind: .pool, name: "ssh", weight: -60),
                TrackedObjectConfig(kind: .script, name: "chk", weight: 10),
            ])
        XCTAssertEqual(
            instance.announcements,
            AnnouncementConfig(count: 3, interval: .milliseconds(20), repeatAfter: .zero, refresh: .seconds(60), refreshCount: 2))
        XCTAssertEqual(instance.notify, NotifyConfig(master: "/usr/local/bin/on-master", any: "logger vipd"))
        XCTAssertEqual(instance.handoverTimeout, .seconds(4))
        XCTAssertEqual(
            config.trackScripts,
            [TrackScriptConfig(name: "chk", command: "pidof sshd", interval: .seconds(1), timeout: .milliseconds(500), fall: 3, rise: 1)])
    }

    func testIPv6InstanceWithCentisecondInterval() throws {
        let config = try XCTUnwrap(
            parseValid(
                clusterConfig(
                    vrrp: "  VI_6: { interface: eth0, router_id: 51, advert_interval: 100ms, virtual_addresses: [\"fd00::100/64\"] }")))
        XCTAssertEqual(config.vrrp[0].family, .v6)
        XCTAssertEqual(config.vrrp[0].advertisementInterval, .milliseconds(100))
    }

    func testOwnerPriority255IsAccepted() throws {
        let yaml = clusterConfig(vrrp: "  VI_1: { interface: eth0, router_id: 1, virtual_addresses: [10.0.0.100/24] }")
            .replacingOccurrences(of: "priority: 100", with: "priority: 255")
        XCTAssertEqual(parseValid(yaml)?.nodes.first?.priority, 255)
    }

    private func assertVRRPError(_ vrrp: String, extra: String = "", _ expected: String, file: StaticString = #filePath, line: UInt = #line) {
        let errors = configErrors(clusterConfig(vrrp: vrrp, extra: extra), file: file, line: line).map(\.description)
        XCTAssertEqual(errors, [expected], file: file, line: line)
    }

    func testGARPRefreshIsASecondOrMoreWithACountFrom1To100() {
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24], garp: { refresh: 500ms } }",
            "vipd.yaml:6:96: vrrp.VI_1.garp.refresh: garp.refresh is at least 1s: it refreshes switches that forget, it is not a flood")
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24], garp: { refresh: 0s } }",
            "vipd.yaml:6:96: vrrp.VI_1.garp.refresh: duration must be greater than zero")
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24], garp: { refresh: 60s, refresh_count: 0 } }",
            "vipd.yaml:6:116: vrrp.VI_1.garp.refresh_count: 0 is out of range: must be between 1 and 100")
    }

    func testRouterIDOutOfRange() {
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 256, virtual_addresses: [10.0.0.100/24] }",
            "vipd.yaml:6:39: vrrp.VI_1.router_id: 256 is out of range: must be between 1 and 255")
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 0, virtual_addresses: [10.0.0.100/24] }",
            "vipd.yaml:6:39: vrrp.VI_1.router_id: 0 is out of range: must be between 1 and 255")
    }

    func testOneRouterIDTwiceOnAnInterface() {
        assertVRRPError(
            """
              VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24] }
              VI_2: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.101/24] }
            """,
            #"vipd.yaml:7:39: vrrp.VI_2.router_id: router_id 51 is already used on eth0 by instance "VI_1": one VRID per interface and address family"#
        )
    }

    func testSameRouterIDOnOtherInterfaceOrFamilyIsFine() {
        XCTAssertNotNil(
            parseValid(
                clusterConfig(
                    vrrp: """
                          VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24] }
                          VI_2: { interface: eth1, router_id: 51, virtual_addresses: [10.0.1.100/24] }
                          VI_6: { interface: eth0, router_id: 51, virtual_addresses: ["fd00::100/64"] }
                        """)))
    }

    func testVersion2WithIPv6() {
        assertVRRPError(
            #"  VI_1: { interface: eth0, router_id: 51, version: 2, virtual_addresses: ["fd00::100/64"] }"#,
            "vipd.yaml:6:52: vrrp.VI_1.version: VRRPv2 carries IPv4 only: use version: 3 for IPv6 virtual addresses")
    }

    func testIntervalsTheVersionCannotCarry() {
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, version: 2, advert_interval: 500ms, virtual_addresses: [10.0.0.100/24] }",
            "vipd.yaml:6:72: vrrp.VI_1.advert_interval: VRRPv2 carries the advert interval in whole seconds from 1s to 255s; use version: 3 for finer intervals")
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, advert_interval: 15ms, virtual_addresses: [10.0.0.100/24] }",
            "vipd.yaml:6:60: vrrp.VI_1.advert_interval: VRRPv3 carries the advert interval in steps of 10ms from 10ms to 40.95s")
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, advert_interval: 41s, virtual_addresses: [10.0.0.100/24] }",
            "vipd.yaml:6:60: vrrp.VI_1.advert_interval: VRRPv3 carries the advert interval in steps of 10ms from 10ms to 40.95s")
    }

    func testAuthenticationOnlyInVersion2() {
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, authentication: { password: x }, virtual_addresses: [10.0.0.100/24] }",
            "vipd.yaml:6:59: vrrp.VI_1.authentication: authentication exists only in VRRPv2 (RFC 5798 removed it): drop it or use version: 2")
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, version: 2, authentication: { password: 123456789 }, virtual_addresses: [10.0.0.100/24] }",
            "vipd.yaml:6:83: vrrp.VI_1.authentication.password: a VRRPv2 password has at most 8 bytes (keepalived cuts longer ones)")
    }

    func testVirtualAddressProblems() {
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/33] }",
            #"vipd.yaml:6:63: vrrp.VI_1.virtual_addresses[0]: invalid address "10.0.0.100/33": use ADDRESS/LENGTH like 192.168.2.232/24 or 2001:db8::10/64"#)
        assertVRRPError(
            #"  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24, "fd00::1/64"] }"#,
            #"vipd.yaml:6:78: vrrp.VI_1.virtual_addresses[1]: one instance carries one address family: fd00::1/64 does not match 10.0.0.100/24"#)
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.2/24] }",
            #"vipd.yaml:6:63: vrrp.VI_1.virtual_addresses[0]: 10.0.0.2 is the address of node "ha1": a virtual address must be one no node owns"#)
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [] }",
            "vipd.yaml:6:62: vrrp.VI_1.virtual_addresses: expected a non-empty list of addresses like 192.168.2.232/24, got a list")
    }

    func testTrackReferencesMustExist() {
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24], track: { pools: { shh: -50 } } }",
            #"vipd.yaml:6:97: vrrp.VI_1.track.pools.shh: no pool named "shh" (did you mean "ssh"?)"#)
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24], track: { scripts: [chk] } }",
            #"vipd.yaml:6:98: vrrp.VI_1.track.scripts.chk: no track_scripts entry named "chk""#)
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24], track: { pools: { ssh: -300 } } }",
            "vipd.yaml:6:102: vrrp.VI_1.track.pools.ssh: -300 is out of range: must be between -254 and 254")
    }

    func testUnicastNeedsNodesOfTheSameFamily() {
        let yaml = clusterConfig(
            vrrp: #"  VI_6: { interface: eth0, router_id: 51, unicast: true, virtual_addresses: ["fd00::100/64"] }"#)
        XCTAssertEqual(
            configErrors(yaml).map(\.description),
            [
                #"vipd.yaml:6:52: vrrp.VI_6.unicast: unicast adverts go to the cluster.nodes addresses, but node "ha0" (10.0.0.1) is not of the virtual addresses' family"#
            ])
    }

    func testVRRPNeedsTheClusterSection() {
        let errors = configErrors(
            minimalConfig("vrrp:\n  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24] }"))
        XCTAssertEqual(
            errors.map(\.description),
            ["vipd.yaml:8:3: vrrp: vrrp needs a cluster section: cluster.nodes gives every node's address and priority"])
    }

    func testUnknownInstanceKeySuggestsTheRightOne() {
        assertVRRPError(
            "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24], prempt: false }",
            #"vipd.yaml:6:79: vrrp.VI_1.prempt: unknown key "prempt" (did you mean "preempt"?)"#)
    }

    func testTrackScriptNeedsACommand() {
        let yaml = clusterConfig(
            vrrp: "  VI_1: { interface: eth0, router_id: 51, virtual_addresses: [10.0.0.100/24] }",
            extra: "track_scripts:\n  chk: { interval: 1s }")
        XCTAssertEqual(
            configErrors(yaml).map(\.description), [#"vipd.yaml:12:3: track_scripts.chk: missing required key "command""#])
    }
}
