import Logging
import NIOPosix
import VipdBalance
import VipdConfig
import VipdControl
import VipdHealth
import VipdMonitor
import VipdProxy
import VipdSpeaker
import VipdStats

/// `vipd ctl` inside `vipd run`: the control socket (`global.control_socket`) and what each
/// command does to the proxy engine, the VRRP speaker and the configuration.
final class DaemonControl: Sendable {
    private let server: ControlServer

    private init(server: ControlServer) {
        self.server = server
    }

    /// Opens the control socket, or logs why it cannot (the daemon runs on without it).
    static func start(
        configPath: String, node: ClusterNode?, engine: ProxyEngine, speaker: VRRPSpeaker?, monitor: DaemonMonitor?,
        stats: DaemonStats, reloader: ConfigReloader, logger: Logger
    ) async -> DaemonControl? {
        let path = await reloader.running.global.controlSocket
        let commands = Commands(
            configPath: configPath, node: node, engine: engine, speaker: speaker, monitor: monitor, stats: stats,
            reloader: reloader, logger: logger)
        do {
            let server = try await ControlServer.start(path: path, group: MultiThreadedEventLoopGroup.singleton, logger: logger) { request in
                await commands.respond(to: request.command)
            }
            logger.info("control socket \(path) (vipd ctl)")
            return DaemonControl(server: server)
        } catch {
            logger.error("control socket: \(error); vipd ctl will not reach this daemon")
            return nil
        }
    }

    /// Closes the socket and removes its file.
    func stop() async {
        await server.close()
    }
}

/// The commands themselves.
private struct Commands: Sendable {
    let configPath: String
    let node: ClusterNode?
    let engine: ProxyEngine
    let speaker: VRRPSpeaker?
    let monitor: DaemonMonitor?
    let stats: DaemonStats
    let reloader: ConfigReloader
    let logger: Logger

    /// Carries out `command`; a refusal becomes a failed response.
    func respond(to command: ControlCommand) async -> ControlResponse {
        do {
            return try await run(command)
        } catch {
            return .failure(error)
        }
    }

    private func run(_ command: ControlCommand) async throws(ControlError) -> ControlResponse {
        switch command {
        case .status:
            return ControlResponse(ok: true, status: await status())
        case .servers:
            return ControlResponse(ok: true, servers: await pools().flatMap(\.servers))
        case .drain(let target):
            return try await setAdminState(.drain, of: target)
        case .maint(let target):
            return try await setAdminState(.maint, of: target)
        case .ready(let target?):
            return try await setAdminState(.ready, of: target)
        case .ready(nil):
            return try await releaseHold()
        case .weight(let target, let weight):
            let (runtime, index) = try await resolve(target)
            let previous = runtime.weights[index]
            runtime.setWeight(index, weight)
            logger.notice("vipd ctl: server \(target) weight \(previous) -> \(weight)", metadata: metadata(target))
            return ControlResponse(
                ok: true, message: "\(target): weight \(weight) (was \(previous))",
                servers: [await report(of: target, runtime: runtime, index: index)])
        case .handover:
            return try await handover()
        case .reload:
            return await reload()
        }
    }

    // MARK: - Servers

    private func metadata(_ target: ServerTarget) -> Logger.Metadata {
        ["pool": "\(target.pool)", "server": "\(target.server)"]
    }

    /// The pool runtime and server index `target` names; the error lists what exists.
    private func resolve(_ target: ServerTarget) async throws(ControlError) -> (PoolRuntime, Int) {
        let runtimes = await engine.poolRuntimes
        guard let runtime = runtimes[target.pool] else {
            throw ControlError("no pool named '\(target.pool)'; pools: \(runtimes.keys.sorted().joined(separator: ", "))")
        }
        guard let index = runtime.serverIndex(named: target.server) else {
            throw ControlError(
                "pool \(target.pool) has no server named '\(target.server)'; servers: \(runtime.config.servers.map(\.name).joined(separator: ", "))")
        }
        return (runtime, index)
    }

    private func setAdminState(_ adminState: ServerAdminState, of target: ServerTarget) async throws(ControlError) -> ControlResponse {
        let (runtime, index) = try await resolve(target)
        let previous = runtime.adminStates[index]
        runtime.setAdminState(index, adminState)
        if previous != adminState {
            logger.notice("vipd ctl: server \(target) is \(adminState.rawValue) (was \(previous.rawValue))", metadata: metadata(target))
        }
        let established = runtime.activeConnections[index]
        let effect =
            switch adminState {
            case .ready: previous == .maint ? "checks restarted, new connections once they pass" : "takes new connections"
            case .drain: "no new connections, \(established) established continue"
            case .maint: "out, checks stopped, \(established) established continue"
            }
        return ControlResponse(
            ok: true, message: "\(target): \(adminState.rawValue) (was \(previous.rawValue)): \(effect)",
            servers: [await report(of: target, runtime: runtime, index: index)])
    }

    private func report(of target: ServerTarget, runtime: PoolRuntime, index: Int) async -> ServerReport {
        Self.serverReports(target.pool, runtime, await engine.poolHealth[target.pool] ?? [])[index]
    }

    /// Every pool in configuration order, with its servers.
    private func pools() async -> [PoolReport] {
        let order = await reloader.running.pools.map(\.name)
        let runtimes = await engine.poolRuntimes
        let health = await engine.poolHealth
        return order.compactMap { name in
            guard let runtime = runtimes[name] else { return nil }
            return PoolReport(
                name: name, balance: runtime.config.balance.rawValue,
                servers: Self.serverReports(name, runtime, health[name] ?? []))
        }
    }

    /// Every server of one pool: its health from the checks, the operator's settings from the runtime.
    private static func serverReports(_ pool: String, _ runtime: PoolRuntime, _ statuses: [ServerStatus]) -> [ServerReport] {
        let adminStates = runtime.adminStates
        let weights = runtime.weights
        let active = runtime.activeConnections
        return runtime.config.servers.enumerated().map { index, server in
            let status = statuses.first { $0.index == index }
            return ServerReport(
                pool: pool, name: server.name, address: server.endpoint.description, backup: server.backup,
                health: runtime.isUp(index) ? "up" : status?.state == .unknown ? "unknown" : "down",
                check: status?.progress ?? "UNKNOWN", lastCheck: status?.lastOutcome?.detail,
                admin: adminStates[index], weight: weights[index], configuredWeight: server.weight,
                activeConnections: active[index])
        }
    }

    // MARK: - Status

    private func status() async -> StatusReport {
        let cluster = await stats.cluster()
        let findings = monitor?.findings.map { finding in
            FindingReport(
                severity: finding.severity.rawValue, kind: finding.kind.rawValue, summary: finding.summary,
                since: finding.since.isoText, fix: finding.fix)
        }
        let peers = cluster.peers.map { peer in
            PeerReport(
                node: peer.node, address: peer.address, error: peer.reachable ? nil : peer.error ?? "no answer",
                lastSeen: peer.lastSeen.map { MonitorInstant(sinceEpoch: .milliseconds(Int64(($0 * 1000).rounded()))).isoText },
                instances: peer.vrrp)
        }
        return StatusReport(
            node: node?.name, configPath: configPath, instances: cluster.vrrp, peers: peers,
            clusterWarnings: cluster.warnings.map(\.text), pools: await pools(), findings: findings)
    }

    // MARK: - VRRP

    private func handover() async throws(ControlError) -> ControlResponse {
        guard let speaker else { throw ControlError("this node runs no VRRP instance: there is nothing to hand over") }
        logger.notice("vipd ctl: handover requested")
        let outcomes = await speaker.hold()
        let lines = outcomes.map { outcome in
            switch (outcome.stillMaster, outcome.newMaster) {
            case (true, _):
                "\(outcome.instance): no other router took over within the handover timeout; still MASTER, hold released"
            case (false, let newMaster?):
                "\(outcome.instance): handed over to \(newMaster); held BACKUP until `vipd ctl ready`"
            case (false, nil):
                "\(outcome.instance): not master; held BACKUP until `vipd ctl ready`"
            }
        }
        return ControlResponse(ok: !outcomes.contains(where: \.stillMaster), message: lines.joined(separator: "\n"))
    }

    private func releaseHold() async throws(ControlError) -> ControlResponse {
        guard let speaker else { throw ControlError("this node runs no VRRP instance: there is no hold to release (ready POOL/SERVER readies a server)") }
        let released = await speaker.releaseHold()
        let message =
            released.isEmpty
            ? "no VRRP instance was held" : "\(released.joined(separator: ", ")): hold released, taking part in the election again"
        return ControlResponse(ok: true, message: message)
    }

    // MARK: - Reload

    private func reload() async -> ControlResponse {
        switch await reloader.reload(trigger: "vipd ctl reload") {
        case .applied(let config, let unbound):
            let summary = "reloaded \(configPath): \(config.listeners.count) listener(s), \(config.pools.count) pool(s)"
            guard unbound.isEmpty else {
                return ControlResponse(ok: false, message: ([summary + "; not bound:"] + unbound).joined(separator: "\n"))
            }
            return ControlResponse(ok: true, message: summary)
        case .rejected(let errors):
            return ControlResponse(ok: false, message: "reload rejected, the running configuration stays:\n\(errors)")
        }
    }
}
