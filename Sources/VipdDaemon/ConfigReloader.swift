import Logging
import VipdConfig
import VipdProxy

/// Reloads the configuration file for SIGHUP and `vipd ctl reload` alike, one at a time: a bad
/// file is rejected and the running configuration kept; listeners and pools move to the new
/// file, and so do the stats listener and transparent proxying; `cluster`, `vrrp`, `track_scripts`,
/// `global.control_socket` and `global.session_drain_limit` changes wait for a restart, and so does
/// keeping the sessions of a listener newly bound on a virtual address across moves.
/// systemd hears `RELOADING=1` … `READY=1` around each.
actor ConfigReloader {
    /// What a reload did.
    enum Outcome: Sendable {
        /// The new file runs; `unbound` lists the listeners that could not bind.
        case applied(VipdConfiguration, unbound: [String])
        /// The file was rejected (its errors); the running configuration stays.
        case rejected(String)
    }

    private let configPath: String
    private let engine: ProxyEngine
    private let transparent: TransparentSetup
    private let stats: StatsListenerSlot
    private let serviceManager: ServiceManagerLink
    private let logger: Logger
    /// The configuration in force.
    private(set) var running: VipdConfiguration

    init(
        configPath: String, running: VipdConfiguration, engine: ProxyEngine, transparent: TransparentSetup, stats: StatsListenerSlot,
        serviceManager: ServiceManagerLink, logger: Logger
    ) {
        self.configPath = configPath
        self.running = running
        self.engine = engine
        self.transparent = transparent
        self.stats = stats
        self.serviceManager = serviceManager
        self.logger = logger
    }

    /// Loads the file again and applies it; `trigger` names the cause in the log (`SIGHUP`).
    func reload(trigger: String) async -> Outcome {
        await serviceManager.reloading()
        let outcome = await apply(trigger: trigger)
        await serviceManager.reloaded()
        return outcome
    }

    private func apply(trigger: String) async -> Outcome {
        logger.notice("\(trigger): reloading \(configPath)")
        let fresh: VipdConfiguration
        do {
            fresh = try ConfigLoader.load(contentsOf: configPath)
        } catch {
            logger.error("reload rejected, the running configuration stays:\n\(error)")
            return .rejected("\(error)")
        }
        if fresh.vrrp != running.vrrp || fresh.trackScripts != running.trackScripts || fresh.nodes != running.nodes
            || fresh.syncGroups != running.syncGroups
            || fresh.global.controlSocket != running.global.controlSocket
            || fresh.global.sessionDrainLimit != running.global.sessionDrainLimit
        {
            logger.warning(
                "reload: changes to cluster, vrrp, sync_groups, track_scripts, global.control_socket and global.session_drain_limit take effect at the next restart")
        }
        let newOnVirtualAddresses = Set(fresh.listenersOnVirtualAddresses).subtracting(running.listenersOnVirtualAddresses)
        if !newOnVirtualAddresses.isEmpty {
            logger.warning(
                "reload: the sessions of \(newOnVirtualAddresses.sorted().joined(separator: ", ")) are kept across moves of the virtual addresses from the next restart on")
        }
        do {
            try transparent.prepare(fresh)
        } catch {
            logger.error("reload rejected, the running configuration stays: cannot set up transparent proxying: \(error)")
            return .rejected("cannot set up transparent proxying: \(error)")
        }
        let failures = await engine.reload(fresh)
        transparent.settle(fresh)
        await stats.apply(fresh.stats)
        if failures.isEmpty {
            logger.notice("reload done: \(fresh.listeners.count) listener(s), \(fresh.pools.count) pool(s)")
        } else {
            logger.error("reload done with \(failures.count) listener(s) not bound")
        }
        running = fresh
        return .applied(fresh, unbound: failures.map { "\($0)" })
    }
}
