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
    /// Running score per server index (grown to the highest index seen; an array, not a dictionary:
    /// no hashing on every request).
    private var scores: [Int] = []

    public init() {}

    public mutating func choose(from candidates: [BalancerCandidate], clientKey: [UInt8]) -> Int? {
        var total = 0
        var best: (index: Int, score: Int)? = nil
        candidates.forEachWeighted { candidate, weight in
            if candidate.index >= scores.count {
                scores.append(contentsOf: repeatElement(0, count: candidate.index + 1 - scores.count))
            }
            scores[candidate.index] += weight
            let score = scores[candidate.index]
            total += weight
            if best == nil || score > best!.score {
                best = (candidate.index, score)
            }
        }
        guard let chosen = best?.index else { return nil }
        // Keep a returning server from cashing in a large stale score: clamp to one round.
        scores[chosen] = max(scores[chosen] - total, -total)
        return chosen
    }
}
