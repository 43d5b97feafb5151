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
        let weighted = candidates.weighted()
        guard !weighted.isEmpty else { return nil }
        // Least load: compare (a+1)/wa < (b+1)/wb as (a+1)*wb < (b+1)*wa (no division, exact).
        var tied: [Int] = []
        var bestLoad: (connections: Int, weight: Int)? = nil
        for (candidate, weight) in weighted {
            let connections = max(candidate.activeConnections, 0) + 1
            if let best = bestLoad {
                let lhs = connections * best.weight
                let rhs = best.connections * weight
                if lhs < rhs {
                    bestLoad = (connections, weight)
                    tied = [candidate.index]
                } else if lhs == rhs {
                    tied.append(candidate.index)
                }
            } else {
                bestLoad = (connections, weight)
                tied = [candidate.index]
            }
        }
        let chosen: Int
        if let last = lastChosen, let next = tied.filter({ $0 > last }).min() {
            chosen = next
        } else {
            chosen = tied.min()!
        }
        lastChosen = chosen
        return chosen
    }
}
