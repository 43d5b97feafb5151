import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals
import VipdConfig
import VipdCore
import VipdHandoff
import VipdProxy
import VipdSystem
import VipdSpeaker

/// `vipd run` as a service: starts the proxy, then the VRRP speaker and its monitor, then tells
/// systemd it is ready; reloads the file on SIGHUP (a bad file is rejected and the running
/// configuration kept); on graceful shutdown (SIGTERM, SIGINT) hands the virtual addresses over
/// make-before-break, stops accepting, lets established connections finish up to
/// `global.drain_timeout`, then returns. systemd hears of each step through `serviceManager`.
public struct ProxyDaemon: Service {
    private let configPath: String
    private let initialConfig: VipdConfiguration
    private let node: ClusterNode?
    private let engine: ProxyEngine
    private let serviceManager: ServiceManagerLink
    private let logger: Logger

    public init(
        configPath: String, config: VipdConfiguration, node: ClusterNode?, engine: ProxyEngine,
        serviceManager: ServiceManagerLink, logger: Logger
    ) {
        self.configPath = configPath
        self.initialConfig = config
        self.node = node
        self.engine = engine
        self.serviceManager = serviceManager
        self.logger = logger
    }

    public func run() async throws {
        var config = initialConfig
        // Before the listeners: every flow they accept must carry the hand-off's mark.
        let handoff = config.vrrp.isEmpty ? nil : node.flatMap { SessionHandoff.start(configuration: config, node: $0, logger: logger) }
        defer { handoff?.stop() }
        // Before the listeners too: their transparent connections' replies must find their way back.
        let transparent = TransparentSetup(node: node, logger: logger)
        try transparent.prepare(config)
        defer { transparent.stop() }
        // Returns once every pool's first check round is over and every listener is bound.
        try await engine.start(config)
        let speaker = try await startSpeaker(config, handoff: handoff)
        let monitorStart: Result<DaemonMonitor, DaemonMonitor.NotRunning> =
            if let speaker, let node { await DaemonMonitor.start(config: config, node: node, speaker: speaker, logger: logger) } else {
                .failure(DaemonMonitor.NotRunning(reason: DaemonMonitor.noVRRPReason))
            }
        let monitor = try? monitorStart.get()
        let (stats, statsListener) = await DaemonStats.start(
            config: config, node: node, engine: engine, speaker: speaker, monitor: monitorStart, logger: logger)
        let reloader = ConfigReloader(
            configPath: configPath, running: config, engine: engine, transparent: transparent, stats: statsListener,
            serviceManager: serviceManager, logger: logger)
        let control = await DaemonControl.start(
            configPath: configPath, node: node, engine: engine, speaker: speaker, monitor: monitor, stats: stats, reloader: reloader,
            logger: logger)
        logger.notice(
            "vipd ready: \(config.listeners.count) listener(s), \(config.pools.count) pool(s), \(config.vrrp.count) VRRP instance(s) from \(configPath)")
        await serviceManager.ready(speaker: speaker)
        releaseFreedHeapPages()
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            _ = await reloader.reload(trigger: "SIGHUP")
            releaseFreedHeapPages()
        }
        config = await reloader.running
        await serviceManager.stopping()
        await control?.stop()
        await monitor?.stop()
        if let speaker {
            logger.notice("shutting down: handing the virtual addresses over")
            await speaker.handOver()
            if handoff != nil {
                // Handshakes under way at the move complete here (their last ACK is forwarded to us).
                try? await Task.sleep(for: Self.inFlightGrace)
            }
        }
        logger.notice("shutting down: no new connections, draining up to \(config.global.drainTimeout)")
        await engine.stopAccepting()
        let handedOn = if let handoff { await handSessionsOn(handoff, transparent: transparent, config: config) } else { false }
        _ = await engine.drain(timeout: config.global.drainTimeout)
        if !handedOn { keepTransparentStateForOpenConnections(transparent, config: config) }
        handoff?.stop()
        transparent.stop()
        serviceManager.finish()
        logger.notice("vipd stopped")
    }

    /// How long a stopping node keeps its listeners after handing the addresses over.
    static let inFlightGrace: Duration = .seconds(1)

    /// How long a stopping vipd waits for a TCP-mode connection's bytes in flight before handing it on.
    static let settleLimit: Duration = .seconds(2)

    /// At stop: the TCP-mode sessions go, open, to `vipd serve-sessions`, which serves them until
    /// they end (at most `session_drain_limit`) while this process exits and a new one may start.
    /// Returns whether that process took them (and the kernel state with them).
    private func handSessionsOn(_ handoff: SessionHandoff, transparent: TransparentSetup, config: VipdConfiguration) async -> Bool {
        guard engine.connections.relayed.count > 0 else { return false }
        // Their channels close here: the held addresses must not follow them off lo.
        handoff.keepHeldAddresses()
        let moved = await engine.connections.relayed.detach(within: Self.settleLimit)
        guard !moved.isEmpty else { return false }
        let logger = logger
        let pid = SessionServerLaunch.start(
            moved, heldAddresses: handoff.allHeldAddresses, limit: handoff.drainLimit, logLevel: config.global.logLevel, logger: logger
        ) { pid in
            try handoff.handOver(toSessionServer: pid)
            try transparent.handOver(toSessionServer: pid)
        }
        guard let pid else { return false }
        logger.notice(
            "handed \(moved.count) session(s) to vipd serve-sessions (pid \(pid)): it serves them until they end, at most \(handoff.drainLimit.secondsText)")
        return true
    }

    /// At stop, when no session was handed on: if connections the other nodes proxy with their
    /// clients' addresses to this node's servers are still open, a `vipd serve-sessions` process
    /// keeps the transparent kernel state for them (their replies must still go back to those
    /// nodes), and removes it when they have ended, at most `session_drain_limit` later.
    private func keepTransparentStateForOpenConnections(_ transparent: TransparentSetup, config: VipdConfiguration) {
        guard let open = transparent.openConnections, open > 0, config.global.sessionDrainLimit > .zero else { return }
        let pid = SessionServerLaunch.start(
            [], heldAddresses: [], limit: config.global.sessionDrainLimit, logLevel: config.global.logLevel, logger: logger
        ) { pid in try transparent.handOver(toSessionServer: pid) }
        guard let pid else { return }
        logger.notice(
            "vipd serve-sessions (pid \(pid)) keeps the transparent proxying state for \(open) open connection(s) until they end, at most \(config.global.sessionDrainLimit.secondsText)")
    }

    /// Starts VRRP when the file has instances: pool tracking from the proxy, connection resets
    /// when addresses leave, and a silent peer's servers taken down at once.
    private func startSpeaker(_ config: VipdConfiguration, handoff: SessionHandoff?) async throws -> VRRPSpeaker? {
        guard !config.vrrp.isEmpty, let node else { return nil }
        let engine = engine
        let logger = logger
        let nodes = config.nodes
        let hooks = VRRPInstanceRunner.Hooks(
            addressesLeaving: { addresses in
                let (count, closed) = engine.connections.reset(acceptedOn: addresses)
                guard count > 0, let closed else { return }
                logger.notice("reset \(count) connection(s) accepted on \(addresses.map(\.description).sorted().joined(separator: ", ")) before releasing it")
                // The addresses leave once the sockets closed, at most this late.
                _ = await Self.completes(closed, within: .milliseconds(500))
            },
            sessionsEnded: { addresses, limit in
                let (open, closed) = engine.connections.open(acceptedOn: addresses)
                guard let closed else { return (0, 0) }
                if await Self.completes(closed, within: limit) { return (open, 0) }
                let (reset, resetClosed) = engine.connections.reset(acceptedOn: addresses)
                if let resetClosed { _ = await Self.completes(resetClosed, within: .seconds(1)) }
                return (open, reset)
            },
            peerWentSilent: { address in
                guard let peer = nodes.first(where: { $0.address == address }) else { return }
                let downed = await engine.forceDown(
                    serverNamed: peer.name, reason: "node \(peer.name) (\(address)) stopped sending VRRP adverts")
                if downed > 0 { logger.notice("took \(downed) server(s) of silent node \(peer.name) down until their checks pass again") }
            })
        let speaker = VRRPSpeaker(
            configuration: config, node: node, pools: engine.availability, hooks: hooks, handoff: handoff, logger: logger)
        try await speaker.start()
        return speaker
    }

    /// Whether `future` completes within `limit` (decided on its event loop, where both callbacks run).
    private static func completes(_ future: EventLoopFuture<Void>, within limit: Duration) async -> Bool {
        let loop = future.eventLoop
        let outcome = loop.makePromise(of: Bool.self)
        loop.execute {
            let decided = NIOLoopBoundBox(false, eventLoop: loop)
            let timeout = loop.scheduleTask(in: TimeAmount(limit)) {
                guard !decided.value else { return }
                decided.value = true
                outcome.succeed(false)
            }
            future.whenComplete { _ in
                timeout.cancel()
                guard !decided.value else { return }
                decided.value = true
                outcome.succeed(true)
            }
        }
        return (try? await outcome.futureResult.get()) ?? false
    }
}

extension PoolAvailability: PoolAvailabilityProviding {}
