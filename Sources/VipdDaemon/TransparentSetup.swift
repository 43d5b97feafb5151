import Logging
import NIOConcurrencyHelpers
import VipdConfig
import VipdTransparent

/// Keeps the kernel's transparent proxying state in step with the configuration in force: set up
/// before listeners open transparent connections, removed after they stopped opening them.
final class TransparentSetup: Sendable {
    private let node: ClusterNode?
    private let logger: Logger
    private struct State {
        var running: TransparentProxying?
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
                if config.hasTransparentPools { try running.reload(configuration: config) }
            } else if config.hasTransparentPools {
                guard let node else { throw NoNode() }
                state.running = try TransparentProxying.start(configuration: config, node: node, logger: logger)
            } else if !state.cleaned, TransparentProxying.removeKernelState(logger: logger) {
                logger.warning("removed the transparent proxying table, rules and routes left by an earlier run")
            }
        }
    }

    /// After the proxy follows `config`: removes the kernel state when no pool is transparent any more.
    func settle(_ config: VipdConfiguration) {
        guard !config.hasTransparentPools,
            let stopped = state.withLockedValue({ state in defer { state.running = nil }; return state.running })
        else { return }
        stopped.stop()
        logger.notice("no pool is transparent any more: removed the transparent proxying table, rules and routes")
    }

    /// At stop, with sessions handed to `vipd serve-sessions` (`pid`): the state stays for them.
    func handOver(toSessionServer pid: Int32) throws {
        try state.withLockedValue { try $0.running?.handOver(toSessionServer: pid) }
    }

    /// At stop: removes the kernel state (unless handed over).
    func stop() {
        state.withLockedValue { $0.running?.stop() }
    }

    private struct NoNode: Error, CustomStringConvertible {
        var description: String {
            "a transparent pool needs to know which cluster node this is (vipd run --node NAME, or an address of cluster.nodes on this host)"
        }
    }
}
