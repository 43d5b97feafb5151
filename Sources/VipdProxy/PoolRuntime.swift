import NIOConcurrencyHelpers
import NIOCore
import VipdBalance
import VipdConfig
import VipdHealth

/// The live state of one pool: which servers are up, what the operator set for each (admin state,
/// runtime weight), how many connections each carries, and its balancer.
///
/// Shared by every event loop; all state sits behind one lock. Established connections keep a
/// reference to the runtime they were picked from, so a reload that replaces the pool never drops
/// them. A reload that leaves the pool's configuration unchanged keeps its runtime; one that
/// changes it builds a new runtime that takes over, by server name, what the operator set
/// (``takeOverOperatorSettings(from:)``).
public final class PoolRuntime: Sendable {
    /// A server chosen for one connection attempt: one object per server of the runtime, made once,
    /// so a pick passed along costs one reference count rather than a copy of the server's settings.
    public final class Pick: Sendable {
        public let index: Int
        public let server: ServerConfig
        /// What the server carried (shared with every runtime of the same pool and server name).
        public let traffic: ServerTraffic
        /// The server's endpoint as a socket address, made once rather than from its text on every connect.
        let address: Result<SocketAddress, any Error>
        /// The same for the relay's `connect`.
        let rawAddress: RawSocketAddress

        init(index: Int, server: ServerConfig, traffic: ServerTraffic) {
            self.index = index
            self.server = server
            self.traffic = traffic
            self.address = Result { try SocketAddress(ipAddress: server.endpoint.address.text, port: server.endpoint.port) }
            self.rawAddress = RawSocketAddress(server.endpoint)
        }
    }

    public let config: PoolConfig
    /// What `pick` returns for each server, in pool order.
    private let picks: [Pick]
    /// HTTP server connections waiting for their next request.
    let idleConnections = IdleServerConnections()
    private let state: NIOLockedValueBox<State>
    /// The pool's health checks, which `maint` stops and `ready` restarts (held weakly: the monitor
    /// reports to this runtime).
    private let healthChecks = NIOLockedValueBox(WeakHealthMonitor())

    private struct State {
        var up: [Bool]
        var active: [Int]
        var adminStates: [ServerAdminState]
        var weights: [Int]
        var balancer: any LoadBalancer
        /// Arrays `pick` fills on every call, kept so that their storage is reused.
        var scratch = PickScratch()
    }

    private struct PickScratch {
        var members: [ServerAvailability] = []
        var eligible: [Int] = []
        var candidates: [BalancerCandidate] = []
    }

    private struct WeakHealthMonitor {
        weak var monitor: PoolHealthMonitor?
    }

    /// A runtime for `config`, counting its servers' traffic in `traffic` (kept across reloads).
    public init(config: PoolConfig, traffic: TrafficCounters) {
        self.config = config
        self.picks = config.servers.enumerated().map { index, server in
            Pick(index: index, server: server, traffic: traffic.server(server.name, of: config.name))
        }
        self.state = NIOLockedValueBox(
            State(
                up: Array(repeating: false, count: config.servers.count),
                active: Array(repeating: 0, count: config.servers.count),
                adminStates: Array(repeating: .ready, count: config.servers.count),
                weights: config.servers.map(\.weight),
                balancer: makeBalancer(config.balance.balancingAlgorithm)))
    }

    /// Connects the pool's health monitor, so `maint` can stop a server's checks.
    public func attach(healthChecks monitor: PoolHealthMonitor) {
        healthChecks.withLockedValue { $0.monitor = monitor }
    }

    /// The position of the server named `name`, if the pool has one.
    public func serverIndex(named name: String) -> Int? {
        config.servers.firstIndex { $0.name == name }
    }

    /// Every server's admin state, in pool order.
    public var adminStates: [ServerAdminState] {
        state.withLockedValue { $0.adminStates }
    }

    /// Every server's weight now (configured, or set by `vipd ctl weight`), in pool order.
    public var weights: [Int] {
        state.withLockedValue { $0.weights }
    }

    /// Sets server `index`'s admin state. Entering `maint` stops its checks and takes it out;
    /// leaving `maint` restarts them, and the first result decides whether it is up.
    public func setAdminState(_ index: Int, _ adminState: ServerAdminState) {
        let previous = state.withLockedValue { state in
            defer { state.adminStates[index] = adminState }
            return state.adminStates[index]
        }
        guard previous.isChecked != adminState.isChecked else { return }
        healthChecks.withLockedValue { $0.monitor }?.setChecksPaused(!adminState.isChecked, server: index)
    }

    /// Takes over from `previous`, the runtime of the same pool before a reload, what the operator
    /// set: each admin state of a server that is still in the pool (`maint` stops its checks here
    /// too), and each runtime weight whose configured weight did not change (a new configured weight wins).
    /// Call after `attach(healthChecks:)` and before the checks start. Returns the servers changed, by name.
    @discardableResult
    public func takeOverOperatorSettings(from previous: PoolRuntime) -> [String] {
        let previousStates = previous.adminStates
        let previousWeights = previous.weights
        var changed: [String] = []
        for (index, server) in config.servers.enumerated() {
            guard let old = previous.serverIndex(named: server.name) else { continue }
            var touched = false
            if previousStates[old] != .ready {
                setAdminState(index, previousStates[old])
                touched = true
            }
            if previous.config.servers[old].weight == server.weight, previousWeights[old] != server.weight {
                setWeight(index, previousWeights[old])
                touched = true
            }
            if touched { changed.append(server.name) }
        }
        return changed
    }

    /// Sets server `index`'s weight for new connections (0...256; established ones are not moved).
    public func setWeight(_ index: Int, _ weight: Int) {
        state.withLockedValue { $0.weights[index] = weight }
    }

    /// Marks server `index` up or down (called by the health monitor).
    public func setServer(_ index: Int, up: Bool) {
        state.withLockedValue { $0.up[index] = up }
    }

    /// Whether server `index` currently takes traffic.
    public func isUp(_ index: Int) -> Bool {
        state.withLockedValue { $0.up[index] }
    }

    /// Whether any server (primary or backup) takes traffic now.
    public var hasServerUp: Bool {
        state.withLockedValue { $0.up.contains(true) }
    }

    /// How many servers (primary or backup) take traffic now.
    public var serversUp: Int {
        state.withLockedValue { $0.up.filter { $0 }.count }
    }

    /// Active connections per server, in pool order.
    public var activeConnections: [Int] {
        state.withLockedValue { $0.active }
    }

    /// Chooses a server for a new connection among those up, `ready` and not in `excluding`, and counts the
    /// connection against it; nil when none is left. Call `release` when that connection ends or fails.
    public func pick(clientKey: [UInt8], excluding: Set<Int>) -> Pick? {
        state.withLockedValue { state in
            state.scratch.members.removeAll(keepingCapacity: true)
            for index in config.servers.indices {
                state.scratch.members.append(
                    ServerAvailability(
                        index: index, isUp: state.up[index] && !excluding.contains(index),
                        isBackup: config.servers[index].backup, adminState: state.adminStates[index]))
            }
            BackupSelection.eligible(state.scratch.members, into: &state.scratch.eligible)
            state.scratch.candidates.removeAll(keepingCapacity: true)
            for index in state.scratch.eligible {
                state.scratch.candidates.append(
                    BalancerCandidate(index: index, weight: state.weights[index], activeConnections: state.active[index]))
            }
            guard let chosen = state.balancer.choose(from: state.scratch.candidates, clientKey: clientKey) else { return nil }
            state.active[chosen] += 1
            return picks[chosen]
        }
    }

    /// Ends the accounting of a connection counted by `pick`.
    public func release(_ index: Int) {
        state.withLockedValue { $0.active[index] -= 1 }
    }
}

extension BalanceAlgorithm {
    /// The balancing library's algorithm for this configured one.
    var balancingAlgorithm: BalancingAlgorithm {
        switch self {
        case .roundrobin: .roundrobin
        case .leastconn: .leastconn
        case .source: .source
        }
    }
}
