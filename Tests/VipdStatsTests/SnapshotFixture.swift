import VipdStats
import VipdVRRP

/// A node with one VRRP instance, a listener, a pool of two servers (one down, drained, with errors
/// and downtime) and one finding.
func sampleSnapshot() -> StatsSnapshot {
    let histogram = HistogramStats(upperBounds: [0.001, 0.01, 0.1], cumulativeCounts: [1, 3, 4], sum: 0.0625, count: 5)
    let up = ServerStats(
        name: "ha0", address: "10.0.0.1:22", weight: 1, backup: false, checked: true, state: "UP", progress: "3/3 UP",
        lastCheck: .init(passed: true, detail: #"SSH banner "SSH-2.0-OpenSSH_9.2p1""#, durationSeconds: 0.0015, at: 1_800_000_000.5),
        checkDurations: histogram, activeConnections: 2, totalConnections: 17, bytesIn: 4096, bytesOut: 1_048_576,
        connectionRate: 0.5, bytesInRate: 100, bytesOutRate: 2048.25)
    let down = ServerStats(
        name: "ha1", address: "10.0.0.2:22", weight: 2, backup: true, checked: true, state: "DOWN", progress: "0/2 DOWN",
        lastCheck: .init(passed: false, detail: "connection refused", durationSeconds: 0.0002, at: 1_800_000_000.25),
        checkDurations: histogram, activeConnections: 0, totalConnections: 3, bytesIn: 10, bytesOut: 20,
        connectionRate: 0, bytesInRate: 0, bytesOutRate: 0, adminState: "drain", configuredWeight: 5, totalRequests: 0,
        connectErrors: 4, retries: 3, redispatches: 0, responseErrors: 1, timeouts: 2,
        httpResponses: ["1xx": 0, "2xx": 9, "3xx": 0, "4xx": 0, "5xx": 1, "other": 0], lastChange: 1_800_000_000.25,
        downCount: 2, downtimeSeconds: 42.5)
    let instance = VRRPInstanceStatus(
        name: "VI_1", interface: "eth0", routerID: 51, version: 3, virtualAddresses: ["10.0.0.100/24"], state: "MASTER",
        priority: 100, effectivePriority: 50, masterAddress: "10.0.0.1", masterIsThisNode: true, faultReason: nil,
        held: false, advertisementsReceived: 7, advertisementsSent: 120, transitionsTotal: 2,
        recentTransitions: [
            .init(at: 1_799_999_990, from: "BACKUP", to: "MASTER", reason: "master down timer expired: no advertisement for 3.61 s"),
            .init(at: 1_799_999_986, from: "INIT", to: "BACKUP", reason: "startup"),
        ], routedAdvertisementsReceived: 5, movedSessions: 3, heldAddresses: ["10.0.0.100"], forwardingTo: "10.0.0.2",
        forwardedSegments: 42, restoredAddresses: 2)
    let finding = FindingStats(
        kind: "split-brain", severity: "critical", group: "eth0 VRID 51", since: 1_799_999_995,
        summary: "10.0.0.1 and 10.0.0.2 both advertise as master", evidence: ["10.0.0.2 never hears 10.0.0.1"],
        fix: "nft insert rule inet filter input ip protocol vrrp accept")
    return StatsSnapshot(
        node: "ha0", generatedAt: 1_800_000_001.25, uptimeSeconds: 15.5, vrrp: [instance],
        pools: [PoolStats(name: "ssh", balance: "roundrobin", check: "ssh-banner", listeners: ["ssh"], servers: [up, down])],
        monitorRunning: true, findings: [finding],
        listeners: [
            ListenerStats(
                name: "ssh", bind: "10.0.0.100:22", mode: "tcp", pool: "ssh", connections: 30, noServer: 6, badRequests: 0,
                requestTimeouts: 0, httpResponses: [:])
        ],
        process: ProcessStats(
            residentMemoryBytes: 20_971_520, virtualMemoryBytes: 1_073_741_824, cpuSeconds: 1.5, openFDs: 12, maxFDs: 1024,
            startTimeSeconds: 1_799_999_985.75))
}
