import NIOConcurrencyHelpers
import VipdBalance
import VipdConfig

/// The live state of one pool: which servers are up, how many connections each carries, and its balancer.
///
/// Shared by every event loop; all state sits behind one lock. Established connections keep a
/// reference to the runtime they were picked from, so a reload that replaces the pool never drops them.
public final class PoolRuntime: Sendable {
    /// A server chosen for one connection attempt.
    public struct Pick: Sendable {
        public let index: Int
        public let server: ServerConfig
    }

    public let config: PoolConfig
    private let state: NIOLockedValueBox<State>

    private struct State {
        var up: [Bool]
        var active: [Int]
        var balancer: any LoadBalancer
    }

    public init(config: PoolConfig) {
        self.config = config
        self.state = NIOLockedValueBox(
            State(
                up: Array(repeating: false, count: config.servers.count),
                active: Array(repeating: 0, count: config.servers.count),
                balancer: makeBalancer(config.balance.balancingAlgorithm)))
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

    /// Chooses a server for a new connection among those up and not in `excluding`, and counts the
    /// connection against it; nil when none is left. Call `release` when that connection ends or fails.
    public func pick(clientKey: [UInt8], excluding: Set<Int>) -> Pick? {
        state.withLockedValue { state in
            let members = config.servers.indices.map { index in
                ServerAvailability(index: index, isUp: state.up[index] && !excluding.contains(index), isBackup: config.servers[index].backup)
            }
            let candidates = BackupSelection.eligible(members).map { index in
                BalancerCandidate(index: index, weight: config.servers[index].weight, activeConnections: state.active[index])
            }
            guard let chosen = state.balancer.choose(from: candidates, clientKey: clientKey) else { return nil }
            state.active[chosen] += 1
            return Pick(index: chosen, server: config.servers[chosen])
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
