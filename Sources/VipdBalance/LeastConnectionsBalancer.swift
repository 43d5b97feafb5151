/// The server with the fewest active connections per weight (haproxy `leastconn`).
///
/// The load of a candidate is `(activeConnections + 1) / weight`, as in haproxy: the connection
/// about to be placed counts, so with no connections at all a heavier server is preferred.
/// Among equally loaded candidates the choice rotates: the first tied candidate whose index
/// follows the previously chosen index (wrapping around), so idle servers share new connections.
public struct LeastConnectionsBalancer: LoadBalancer {
    private var lastChosen: Int? = nil

    public init() {}

    public mutating func choose(from candidates: [BalancerCandidate], clientKey: [UInt8]) -> Int? {
        // Least load: compare (a+1)/wa < (b+1)/wb as (a+1)*wb < (b+1)*wa (no division, exact).
        // Among the tied candidates, the lowest index and the lowest index after `lastChosen`.
        var bestLoad: (connections: Int, weight: Int)? = nil
        var lowestTied = Int.max
        var nextTied = Int.max
        candidates.forEachWeighted { candidate, weight in
            let connections = max(candidate.activeConnections, 0) + 1
            if let best = bestLoad {
                let lhs = connections * best.weight
                let rhs = best.connections * weight
                if lhs > rhs { return }
                if lhs < rhs {
                    bestLoad = (connections, weight)
                    lowestTied = Int.max
                    nextTied = Int.max
                }
            } else {
                bestLoad = (connections, weight)
            }
            lowestTied = min(lowestTied, candidate.index)
            if let last = lastChosen, candidate.index > last { nextTied = min(nextTied, candidate.index) }
        }
        guard bestLoad != nil else { return nil }
        let chosen = nextTied != Int.max ? nextTied : lowestTied
        lastChosen = chosen
        return chosen
    }
}
