/// Weighted rendezvous (highest random weight) hashing of the client address (haproxy `balance source`).
///
/// Each candidate gets the score `weight / -ln(u)` where `u` in (0, 1) is derived from a fixed
/// 64-bit hash of the client key and the server index; the highest score wins. Consequences:
/// - the same client reaches the same server as long as the candidate set (indices and weights)
///   is unchanged, in this process and in every other one (the hash is FNV-1a 64 with a
///   SplitMix64 finalizer, no per-process seed, unlike Swift's `Hasher`);
/// - when a server leaves, only the clients it had move (each to its second-best server);
///   when it comes back, exactly those return;
/// - in the long run each server receives a share of clients proportional to its weight.
///
/// The hash covers the server's index in the pool, so reordering the servers of a pool in the
/// config moves clients, like haproxy's map-based hashing does.
public struct SourceHashBalancer: LoadBalancer {
    public init() {}

    public mutating func choose(from candidates: [BalancerCandidate], clientKey: [UInt8]) -> Int? {
        var best: (index: Int, score: Double)? = nil
        candidates.forEachWeighted { candidate, weight in
            let score = Self.score(clientKey: clientKey, serverIndex: candidate.index, weight: weight)
            if best == nil || score > best!.score || (score == best!.score && candidate.index < best!.index) {
                best = (candidate.index, score)
            }
        }
        return best?.index
    }

    /// The rendezvous score of one server for one client.
    static func score(clientKey: [UInt8], serverIndex: Int, weight: Int) -> Double {
        let hash = Self.hash(clientKey: clientKey, serverIndex: serverIndex)
        // 53 random bits mapped into the open interval (0, 1).
        let unit = (Double(hash >> 11) + 0.5) / 9_007_199_254_740_992.0
        return Double(weight) / -_log(unit)
    }

    /// FNV-1a 64 over the key, a separator and the server index (little endian), then SplitMix64's
    /// finalizer so that keys differing in one byte give unrelated values.
    static func hash(clientKey: [UInt8], serverIndex: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        @inline(__always) func mix(_ byte: UInt8) {
            h ^= UInt64(byte)
            h = h &* 0x0000_0100_0000_01b3
        }
        for byte in clientKey { mix(byte) }
        mix(0xff)
        var index = UInt64(bitPattern: Int64(serverIndex))
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: index))
            index >>= 8
        }
        h = (h ^ (h >> 30)) &* 0xbf58_476d_1ce4_e5b9
        h = (h ^ (h >> 27)) &* 0x94d0_49bb_1331_11eb
        return h ^ (h >> 31)
    }
}

#if canImport(Glibc)
import Glibc
private func _log(_ x: Double) -> Double { Glibc.log(x) }
#elseif canImport(Musl)
import Musl
private func _log(_ x: Double) -> Double { Musl.log(x) }
#elseif canImport(Darwin)
import Darwin
private func _log(_ x: Double) -> Double { Darwin.log(x) }
#endif
