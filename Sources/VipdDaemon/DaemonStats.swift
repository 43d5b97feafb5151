import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle
import VipdConfig
import VipdCore
import VipdHealth
import VipdMonitor
import VipdMonitorSession
import VipdProxy
import VipdSpeaker
import VipdStats
import VipdVRRP

/// The stats listener inside `vipd run`: builds ``StatsSnapshot``s from the proxy engine, the VRRP
/// speaker and the monitor, samples the traffic counters every second for the rates, and serves the
/// page, `/stats.json`, `/stats.csv` and `/metrics` until the graceful shutdown begins. A reload applies a changed
/// `stats` section (``StatsListenerSlot``).
final class DaemonStats: Sendable {
    private let engine: ProxyEngine
    private let speaker: VRRPSpeaker?
    private let monitor: DaemonMonitor?
    /// Why the monitor does not run; nil while it runs.
    private let monitorNotRunningReason: String?
    private let node: ClusterNode?
    private let startedAt = ContinuousClock.now
    private let rates = NIOLockedValueBox(CounterRates<TrafficCounters.Key>(window: rateWindow))
    private let peers: PeerStatsPoller

    /// The rates' sliding window, in seconds.
    static let rateWindow = 10.0

    private init(
        engine: ProxyEngine, speaker: VRRPSpeaker?, monitor: Result<DaemonMonitor, DaemonMonitor.NotRunning>, node: ClusterNode?,
        logger: Logger
    ) {
        self.peers = PeerStatsPoller(logger: logger)
        self.engine = engine
        self.speaker = speaker
        self.monitor = try? monitor.get()
        if case .failure(let notRunning) = monitor { self.monitorNotRunningReason = notRunning.reason } else { self.monitorNotRunningReason = nil }
        self.node = node
    }

    /// Binds the stats listener when the file has a `stats` section and serves it until the graceful
    /// shutdown begins; the listener slot returned takes the `stats` section of each reload. Every
    /// second the other nodes' listeners are asked for their VRRP view (``PeerStatsPoller``). It starts after
    /// the VRRP speaker, so a failure is logged and vipd runs on without the page rather than exiting
    /// with the VIP held (like the monitor and the control socket).
    static func start(
        config: VipdConfiguration, node: ClusterNode?, engine: ProxyEngine, speaker: VRRPSpeaker?,
        monitor: Result<DaemonMonitor, DaemonMonitor.NotRunning>, logger: Logger
    ) async -> (stats: DaemonStats, listener: StatsListenerSlot) {
        let stats = DaemonStats(engine: engine, speaker: speaker, monitor: monitor, node: node, logger: logger)
        let listener = StatsListenerSlot(node: node, logger: logger, snapshot: { await stats.snapshot() })
        await listener.apply(config.stats)
        Task {
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    await stats.sampleTraffic()
                    try await Task.sleep(for: .seconds(1))
                }
            }
            await listener.close()
        }
        let nodes = config.nodes
        Task {
            try? await cancelWhenGracefulShutdown {
                while !Task.isCancelled {
                    let settings = await listener.settings
                    let targets = settings?.peerEndpoints(nodes: nodes, this: node) ?? []
                    await stats.peers.poll(targets, credentials: settings?.credentials, now: MonitorInstant.now().sinceEpoch / .seconds(1))
                    try await Task.sleep(for: .seconds(1))
                }
            }
        }
        return (stats, listener)
    }

    /// Feeds the traffic counters into the rate window.
    private func sampleTraffic() async {
        let totals = engine.connections.traffic.readings.mapValues { reading in
            [Double(reading.totalConnections + reading.totalRequests), Double(reading.bytesFromClient), Double(reading.bytesFromServer)]
        }
        let now = Double(startedAt.duration(to: .now).wholeMilliseconds) / 1000
        rates.withLockedValue { $0.record(totals, at: now) }
    }

    /// What the page shows now.
    func snapshot() async -> StatsSnapshot {
        let wallNow = MonitorInstant.now()
        let now = ContinuousClock.now
        let wall = Self.wall(wallNow: wallNow, now: now)

        let runtimes = await engine.poolRuntimes
        let health = await engine.poolHealth
        let listeners = await engine.boundListeners.values.map(\.currentRoute.config)
        let traffic = engine.connections.traffic.readings
        let listenerTraffic = engine.connections.traffic.listenerReadings
        let rates = rates.withLockedValue { $0 }
        let pools = runtimes.keys.sorted().compactMap { name -> PoolStats? in
            guard let runtime = runtimes[name] else { return nil }
            let config = runtime.config
            let statuses = health[name] ?? []
            let adminStates = runtime.adminStates
            let weights = runtime.weights
            let servers = config.servers.enumerated().map { index, server in
                let status = statuses.first { $0.index == index }
                let key = TrafficCounters.Key(pool: name, server: server.name)
                let reading = traffic[key] ?? ServerTraffic.Reading()
                let rate = rates.rates(for: key)
                return ServerStats(
                    name: server.name, address: server.endpoint.description, weight: weights[index], backup: server.backup,
                    checked: status?.isChecked ?? false, state: status?.state.word ?? "UNKNOWN",
                    progress: status?.progress ?? "UNKNOWN",
                    lastCheck: status.flatMap { status in
                        guard let outcome = status.lastOutcome, let at = status.lastCheckedAt else { return nil }
                        return ServerStats.CheckResult(
                            passed: outcome.passed, detail: outcome.detail, durationSeconds: outcome.duration / .seconds(1), at: wall(at))
                    },
                    checkDurations: Self.histogram(status?.checkDurations ?? CheckDurationHistogram()),
                    activeConnections: reading.activeConnections, totalConnections: reading.totalConnections,
                    bytesIn: reading.bytesFromClient, bytesOut: reading.bytesFromServer,
                    connectionRate: rate.first ?? 0, bytesInRate: rate.dropFirst().first ?? 0, bytesOutRate: rate.last ?? 0,
                    adminState: adminStates[index].rawValue, configuredWeight: server.weight, totalRequests: reading.totalRequests,
                    connectErrors: reading.connectErrors, retries: reading.retries, redispatches: reading.redispatches,
                    responseErrors: reading.responseErrors, timeouts: reading.timeouts,
                    httpResponses: Self.byStatusClass(reading.responses), lastChange: status?.lastChangeAt.map(wall),
                    downCount: status?.downCount ?? 0, downtimeSeconds: (status?.downtime ?? .zero) / .seconds(1))
            }
            return PoolStats(
                name: name, balance: config.balance.rawValue, check: config.check.kind.map(Self.checkName) ?? "none",
                listeners: listeners.filter { $0.pool == name }.map(\.name).sorted(), servers: servers)
        }
        let listenerStats = listeners.sorted { $0.name < $1.name }.map { listener in
            let reading = listenerTraffic[listener.name]
            return ListenerStats(
                name: listener.name, bind: listener.bind.description, mode: listener.mode.rawValue, pool: listener.pool,
                connections: reading?.connections ?? 0, noServer: reading?.noServer ?? 0, badRequests: reading?.badRequests ?? 0,
                requestTimeouts: reading?.requestTimeouts ?? 0, httpResponses: Self.byStatusClass(reading?.responses ?? []))
        }
        return StatsSnapshot(
            node: node?.name, generatedAt: wallNow.sinceEpoch / .seconds(1), uptimeSeconds: startedAt.duration(to: now) / .seconds(1),
            vrrp: await vrrpStatuses(), pools: pools, monitorRunning: monitor != nil,
            findings: (monitor?.findings ?? []).map(Self.findingStats), peers: peers.peers, listeners: listenerStats,
            monitorNotRunningReason: monitorNotRunningReason, process: ProcessStats.current())
    }

    /// Counts in ``HTTPStatusClassCounters/classes`` order, by class.
    private static func byStatusClass(_ counts: [Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: zip(HTTPStatusClassCounters.classes, counts))
    }

    /// This node's VRRP instances, the peers as last polled and the warnings they make together:
    /// the cluster part of a snapshot, without reading the pools (for `vipd ctl status`).
    func cluster() async -> (vrrp: [VRRPInstanceStatus], peers: [PeerStats], warnings: [ClusterWarning]) {
        let vrrp = await vrrpStatuses()
        let peers = peers.peers
        return (vrrp, peers, ClusterWarning.warnings(node: node?.name, vrrp: vrrp, peers: peers))
    }

    /// The speaker's instances, with the sessions still open here on the addresses each gave away.
    private func vrrpStatuses() async -> [VRRPInstanceStatus] {
        (await speaker?.instanceStatuses() ?? []).map { status in
            var status = status
            status.movedSessions = status.heldAddresses.map { held in
                held.isEmpty ? 0 : engine.connections.count(acceptedOn: Set(held.compactMap(IPAddress.init)))
            }
            return status
        }
    }

    /// Turns a continuous-clock instant into seconds since the Unix epoch, given one moment read on both clocks.
    private static func wall(wallNow: MonitorInstant, now: ContinuousClock.Instant) -> (ContinuousClock.Instant) -> Double {
        { instant in (wallNow.sinceEpoch - instant.duration(to: now)) / .seconds(1) }
    }

    private static func findingStats(_ finding: Finding) -> FindingStats {
        FindingStats(
            kind: finding.kind.rawValue, severity: finding.severity.rawValue, group: finding.group?.description,
            since: finding.since.sinceEpoch / .seconds(1), summary: finding.summary, evidence: finding.evidence, fix: finding.fix)
    }

    private static func histogram(_ histogram: CheckDurationHistogram) -> HistogramStats {
        HistogramStats(
            upperBounds: CheckDurationHistogram.upperBounds.map { $0 / .seconds(1) }, cumulativeCounts: Array(histogram.cumulativeCounts.dropLast()),
            sum: histogram.sum / .seconds(1), count: histogram.count)
    }

    private static func checkName(_ kind: HealthCheckKind) -> String {
        switch kind {
        case .tcp: "tcp"
        case .sshBanner: "ssh-banner"
        case .http: "http"
        case .exec: "exec"
        }
    }
}
