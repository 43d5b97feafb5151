import Logging
import NIOConcurrencyHelpers
import VipdConfig
import VipdCore
import VipdTransparent

/// Keeps the kernel's transparent proxying state in step with the configuration in force: set up
/// before listeners open transparent connections, removed once no connection needs it any more.
final class TransparentSetup: Sendable {
    /// How often a reload that turned transparency off checks whether its connections have ended.
    static let drainPollInterval: Duration = .seconds(2)

    private let node: ClusterNode?
    private let logger: Logger
    private struct State {
        var running: TransparentProxying?
        /// After a reload that turned transparency off: waits for the connections that still need
        /// the state, then removes it.
        var draining: Task<Void, Never>?
        /// Whether what an earlier run left was taken care of.
        var cleaned = false
    }

    private let state = NIOLockedValueBox(State())

    init(node: ClusterNode?, logger: Logger) {
        self.node = node
        self.logger = logger
    }

    /// Before the proxy follows `config`: sets the kernel up for its transparent pools (and at the
    /// first call removes what a crashed run left). Throws when it cannot, and the pools would not work.
    func prepare(_ config: VipdConfiguration) throws {
        try state.withLockedValue { state in
            defer { state.cleaned = true }
            if let running = state.running {
                guard config.hasTransparentPools else { return }
                state.draining?.cancel()
                state.draining = nil
                try running.reload(configuration: config)
            } else if config.hasTransparentPools {
                guard let node else { throw NoNode() }
                state.running = try TransparentProxying.start(configuration: config, node: node, logger: logger)
            } else if !state.cleaned, TransparentProxying.hasLeftovers, TransparentProxying.removeKernelState(logger: logger) {
                logger.warning("removed the transparent proxying table, rules and routes left by an earlier run")
            }
        }
    }

    /// After the proxy follows `config`: when no pool is transparent any more, removes the kernel
    /// state once no open connection needs it (this node's transparent connections, and those the
    /// other nodes proxy to its servers until they reload too), at most `session_drain_limit` later.
    func settle(_ config: VipdConfiguration) {
        guard !config.hasTransparentPools else { return }
        state.withLockedValue { state in
            guard let running = state.running, state.draining == nil else { return }
            let open = running.openConnections ?? 0
            guard open > 0 else {
                state.running = nil
                running.stop()
                logger.notice("no pool is transparent any more: removed the transparent proxying table, rules and routes")
                return
            }
            logger.notice(
                "no pool is transparent any more: the transparent proxying table, rules and routes stay for \(open) open connection(s), at most \(config.global.sessionDrainLimit.secondsText)")
            state.draining = Task { [weak self] in
                let deadline = ContinuousClock.now + config.global.sessionDrainLimit
                while ContinuousClock.now < deadline, (running.openConnections ?? 0) > 0 {
                    try? await Task.sleep(for: Self.drainPollInterval)
                    if Task.isCancelled { return }
                }
                self?.finishDraining(running)
            }
        }
    }

    private func finishDraining(_ drained: TransparentProxying) {
        let removed = state.withLockedValue { state in
            guard state.running === drained, state.draining?.isCancelled == false else { return false }
            state.running = nil
            state.draining = nil
            return true
        }
        guard removed else { return }
        drained.stop()
        logger.notice("the last transparent connection ended: removed the transparent proxying table, rules and routes")
    }

    /// At stop: the number of open connections that need the kernel state (nil when there is no
    /// state, or the connection tracker cannot be read).
    var openConnections: Int? {
        state.withLockedValue { $0.running }?.openConnections
    }

    /// At stop, with connections that need the state: process `pid` (`vipd serve-sessions`) keeps it
    /// for them and removes it when they have ended.
    func handOver(toSessionServer pid: Int32) throws {
        try state.withLockedValue { state in
            state.draining?.cancel()
            try state.running?.handOver(toSessionServer: pid)
        }
    }

    /// At stop: removes the kernel state (unless handed over).
    func stop() {
        state.withLockedValue { state in
            state.draining?.cancel()
            state.running?.stop()
        }
    }

    private struct NoNode: Error, CustomStringConvertible {
        var description: String {
            "a transparent pool needs to know which cluster node this is (vipd run --node NAME, or an address of cluster.nodes on this host)"
        }
    }
}
