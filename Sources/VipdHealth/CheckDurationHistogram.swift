/// How long a server's health checks took, counted into fixed buckets (Prometheus histogram style:
/// `vipd_check_duration_seconds`). Pure; the monitor records every finished check.
public struct CheckDurationHistogram: Sendable, Equatable {
    /// Upper bounds of the buckets, ascending, from 1 ms to 10 s (Prometheus' default ladder with
    /// 1 ms in front, since checks on a LAN take a few milliseconds). A last `+Inf` bucket is implied.
    public static let upperBounds: [Duration] = [
        .milliseconds(1), .microseconds(2500), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1),
        .microseconds(2_500_000), .seconds(5), .seconds(10),
    ]

    /// Checks per bucket (not cumulative): `counts[i]` took at most `upperBounds[i]` and more than the
    /// bound before; the last element counts checks above every bound.
    public private(set) var counts: [Int] = Array(repeating: 0, count: upperBounds.count + 1)
    /// The sum of every recorded duration.
    public private(set) var sum: Duration = .zero

    /// No checks yet.
    public init() {}

    /// Every recorded check.
    public var count: Int { counts.reduce(0, +) }

    /// Counts one check that took `duration` (negative durations count as zero).
    public mutating func record(_ duration: Duration) {
        let clamped = max(duration, .zero)
        let bucket = Self.upperBounds.firstIndex { clamped <= $0 } ?? Self.upperBounds.count
        counts[bucket] += 1
        sum += clamped
    }

    /// Checks that took at most each bound, in bound order, then the total (the `+Inf` bucket).
    public var cumulativeCounts: [Int] {
        var running = 0
        return counts.map { count in
            running += count
            return running
        }
    }
}
