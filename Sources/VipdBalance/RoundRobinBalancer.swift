/// Smooth weighted round robin (the nginx algorithm; haproxy's `roundrobin` gives the same shares).
///
/// Every choice adds each candidate's weight to its running score, picks the highest score
/// (ties: the candidate listed first) and subtracts the total weight from the winner. Over any
/// run of `sum(weights)` choices with an unchanged candidate set, each server is chosen exactly
/// `weight` times, interleaved rather than in bursts (weights 5,1,1 give a a b a c a a).
///
/// Scores are kept per server index, so a server left out of one choice (already tried for that
/// connection, or briefly down) keeps its place when it comes back.
public struct RoundRobinBalancer: LoadBalancer {
    /// Running score per server index.
    private var scores: [Int: Int] = [:]

    public init() {}

    public mutating func choose(from candidates: [BalancerCandidate], clientKey: [UInt8]) -> Int? {
        let weighted = candidates.weighted()
        guard !weighted.isEmpty else { return nil }
        var total = 0
        var best: (index: Int, score: Int)? = nil
        for (candidate, weight) in weighted {
            let score = scores[candidate.index, default: 0] + weight
            scores[candidate.index] = score
            total += weight
            if best == nil || score > best!.score {
                best = (candidate.index, score)
            }
        }
        let chosen = best!.index
        scores[chosen, default: 0] -= total
        // Keep a returning server from cashing in a large stale score: clamp to one round.
        if scores[chosen]! < -total { scores[chosen] = -total }
        return chosen
    }
}
