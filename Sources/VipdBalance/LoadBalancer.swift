/// One server that may receive the next connection, as the proxy sees it at that moment.
///
/// The caller passes only eligible servers: up (see ``BackupSelection``) and not yet tried
/// for the connection being placed.
public struct BalancerCandidate: Sendable, Equatable {
    /// Position of the server in its pool (stable for the life of the pool's configuration).
    public var index: Int
    /// Relative share, 0...256. Weight-0 candidates are chosen only when every candidate has weight 0.
    public var weight: Int
    /// Connections currently established to this server through the proxy.
    public var activeConnections: Int

    public init(index: Int, weight: Int = 1, activeConnections: Int = 0) {
        self.index = index
        self.weight = weight
        self.activeConnections = activeConnections
    }
}

/// Picks the server for a new connection.
///
/// Implementations are value types holding their own state (round-robin position, tie rotation);
/// the proxy keeps one per pool and calls ``choose(from:clientKey:)`` for every attempt.
public protocol LoadBalancer: Sendable {
    /// The chosen candidate's ``BalancerCandidate/index``, or nil when `candidates` is empty.
    ///
    /// - Parameter clientKey: the client's address bytes (4 for IPv4, 16 for IPv6); only the
    ///   `source` algorithm uses it.
    mutating func choose(from candidates: [BalancerCandidate], clientKey: [UInt8]) -> Int?
}

/// The balancing algorithms, spelled like the config's `balance` values.
///
/// VipdBalance does not depend on VipdConfig; convert with
/// `BalancingAlgorithm(rawValue: pool.balance.rawValue)!` (the raw values are the same).
public enum BalancingAlgorithm: String, Sendable, Equatable, CaseIterable {
    /// Smooth weighted round robin (``RoundRobinBalancer``).
    case roundrobin
    /// Fewest active connections per weight (``LeastConnectionsBalancer``).
    case leastconn
    /// Weighted rendezvous hash of the client address (``SourceHashBalancer``).
    case source
}

/// A fresh balancer for `algorithm`.
public func makeBalancer(_ algorithm: BalancingAlgorithm) -> any LoadBalancer {
    switch algorithm {
    case .roundrobin: return RoundRobinBalancer()
    case .leastconn: return LeastConnectionsBalancer()
    case .source: return SourceHashBalancer()
    }
}

extension Array where Element == BalancerCandidate {
    /// Calls `body` with each candidate that takes part in a choice and the weight it counts with:
    /// those with a positive weight, or, when every weight is 0 (or negative), all of them at weight 1.
    /// Nothing is allocated: the balancers run once per request.
    @inlinable
    func forEachWeighted(_ body: (BalancerCandidate, Int) -> Void) {
        if contains(where: { $0.weight > 0 }) {
            for candidate in self where candidate.weight > 0 { body(candidate, candidate.weight) }
        } else {
            for candidate in self { body(candidate, 1) }
        }
    }
}
