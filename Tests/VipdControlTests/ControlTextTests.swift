import VipdBalance
import VipdControl
import VipdVRRP
import XCTest

/// `vipd ctl`'s human output.
final class ControlTextTests: XCTestCase {
    private func server(
        _ name: String, health: String = "up", check: String = "3/3 UP", admin: ServerAdminState = .ready, weight: Int = 1,
        backup: Bool = false, connections: Int = 0
    ) -> ServerReport {
        ServerReport(
            pool: "ssh", name: name, address: "10.0.0.\(name.last!):22", backup: backup, health: health, check: check,
            lastCheck: nil, admin: admin, weight: weight, configuredWeight: 1, activeConnections: connections)
    }

    func testServersTable() {
        let text = ControlText.servers([
            server("ha0", connections: 12), server("ha1", admin: .drain, weight: 50, connections: 1),
            server("ha2", health: "down", check: "checks stopped (maint)", admin: .maint, backup: true),
        ])
        XCTAssertEqual(
            text,
            """
            SERVER            ADDRESS      HEALTH  CHECK                   ADMIN  WEIGHT             CONNS
            ssh/ha0           10.0.0.0:22  UP      3/3 UP                  ready  1                  12
            ssh/ha1           10.0.0.1:22  UP      3/3 UP                  drain  50 (configured 1)  1
            ssh/ha2 (backup)  10.0.0.2:22  DOWN    checks stopped (maint)  maint  1                  0
            """)
    }

    func testStatus() {
        let report = StatusReport(
            node: "ha0", configPath: "/etc/vipd/vipd.yaml",
            instances: [
                instanceStatus(name: "VI_1", state: "BACKUP", priority: 100, effectivePriority: 100, masterAddress: "10.0.0.1", held: true, faultReason: nil),
                instanceStatus(name: "VI_2", state: "FAULT", priority: 100, effectivePriority: 50, masterAddress: nil, held: false, faultReason: "eth1 down"),
            ],
            pools: [PoolReport(name: "ssh", balance: "roundrobin", servers: [server("ha0"), server("ha1", admin: .drain)])],
            findings: [
                FindingReport(severity: "critical", kind: "split-brain", summary: "two masters", since: "2026-01-01T00:00:00.000Z", fix: "accept vrrp")
            ])
        XCTAssertEqual(
            ControlText.status(report),
            """
            node ha0, config /etc/vipd/vipd.yaml
            VRRP VI_1: BACKUP, priority 100, master 10.0.0.1, HELD by vipd ctl handover until vipd ctl ready
            VRRP VI_2: FAULT, priority 50 (configured 100), fault: eth1 down
            pool ssh (roundrobin): 1/2 servers take new connections
              ha0 10.0.0.0:22: UP (3/3 UP), weight 1, 0 connection(s)
              ha1 10.0.0.1:22: UP (3/3 UP), drain, weight 1, 0 connection(s)
            monitor: 1 finding(s)
              CRITICAL split-brain since 2026-01-01T00:00:00.000Z: two masters
                fix: accept vrrp
            """)
    }

    func testStatusNamesTheSessionsKeptAcrossAMove() {
        let previousOwner = instanceStatus(
            name: "VI_1", state: "BACKUP", priority: 100, effectivePriority: 100, masterAddress: "10.0.0.2", held: false, faultReason: nil,
            movedSessions: 2, forwardingTo: nil, forwardedSegments: 0)
        let newOwner = instanceStatus(
            name: "VI_1", state: "MASTER", priority: 50, effectivePriority: 50, masterAddress: "10.0.0.2", held: false, faultReason: nil,
            movedSessions: 0, forwardingTo: "10.0.0.1", forwardedSegments: 120)
        let text = { (instance: VRRPInstanceStatus) in
            ControlText.status(StatusReport(node: "ha0", configPath: "/etc/vipd/vipd.yaml", instances: [instance], pools: [], findings: []))
        }
        XCTAssertTrue(
            text(previousOwner).contains(
                "VRRP VI_1: BACKUP, priority 100, master 10.0.0.2, still serving 2 session(s) moved away with the virtual addresses"),
            text(previousOwner))
        XCTAssertTrue(
            text(newOwner).contains("VRRP VI_1: MASTER, priority 50, master 10.0.0.2, forwarding segments of 10.0.0.1's sessions to it (120 so far)"),
            text(newOwner))
    }

    func testStatusNamesTheSyncGroupAndItsState() {
        let member = instanceStatus(
            name: "VI_2", state: "FAULT", priority: 100, effectivePriority: 100, masterAddress: nil, held: false,
            faultReason: "sync group gateway: VI_1 interface eth0 down", syncGroup: "gateway", syncGroupState: "FAULT")
        XCTAssertTrue(
            ControlText.status(StatusReport(node: "ha0", configPath: "vipd.yaml", instances: [member], pools: [], findings: []))
                .contains("VRRP VI_2: FAULT, priority 100, fault: sync group gateway: VI_1 interface eth0 down, sync group gateway FAULT"))
    }

    func testStatusWithPeersAndClusterWarnings() {
        let mine = instanceStatus(name: "VI_1", state: "MASTER", priority: 100, effectivePriority: 100, masterAddress: "10.0.0.1", held: false, faultReason: nil)
        let theirs = instanceStatus(name: "VI_1", state: "MASTER", priority: 50, effectivePriority: 50, masterAddress: "10.0.0.2", held: false, faultReason: nil)
        let report = StatusReport(
            node: "ha0", configPath: "vipd.yaml", instances: [mine],
            peers: [
                PeerReport(node: "ha1", address: "10.0.0.2:8404", error: nil, lastSeen: "2026-01-01T00:00:05.000Z", instances: [theirs]),
                PeerReport(
                    node: "ha2", address: "10.0.0.3:8404", error: "connection refused", lastSeen: "2026-01-01T00:00:01.000Z",
                    instances: [instanceStatus(name: "VI_1", state: "BACKUP", priority: 20, effectivePriority: 20, masterAddress: nil, held: false, faultReason: nil)]),
                PeerReport(node: "ha3", address: "10.0.0.4:8404", error: "no whole answer within 900 ms", lastSeen: nil, instances: []),
            ],
            clusterWarnings: ["VI_1: ha0 and ha1 are both MASTER: split brain, each answers for 10.0.0.100/24"],
            pools: [], findings: [])
        XCTAssertEqual(
            ControlText.status(report),
            """
            node ha0, config vipd.yaml
            VRRP VI_1: MASTER, priority 100, master 10.0.0.1
            peer ha1 (10.0.0.2:8404)
              VRRP VI_1: MASTER, priority 50, master 10.0.0.2
            peer ha2 (10.0.0.3:8404): does not answer (connection refused), last answered 2026-01-01T00:00:01.000Z
              VRRP VI_1: BACKUP, priority 20
            peer ha3 (10.0.0.4:8404): does not answer (no whole answer within 900 ms), never answered
            CLUSTER WARNING VI_1: ha0 and ha1 are both MASTER: split brain, each answers for 10.0.0.100/24
            monitor: no findings
            """)
    }

    func testStatusWithoutVRRPOrMonitor() {
        let quiet = StatusReport(node: nil, configPath: "t.yaml", instances: [], pools: [], findings: nil)
        XCTAssertEqual(ControlText.status(quiet), "node (none), config t.yaml\nVRRP: no instances\nmonitor: not running")
        let clean = StatusReport(node: "ha0", configPath: "t.yaml", instances: [], pools: [], findings: [])
        XCTAssertTrue(ControlText.status(clean).hasSuffix("monitor: no findings"))
    }
}
