/// A histogram as Prometheus exposes it: cumulative counts per upper bound, the sum and the count.
public struct HistogramStats: Codable, Sendable, Equatable {
    /// Upper bounds (seconds), ascending; the `+Inf` bucket is ``count``.
    public var upperBounds: [Double]
    /// Observations at most each bound (same length as `upperBounds`, never decreasing).
    public var cumulativeCounts: [Int]
    /// The sum of every observation (seconds).
    public var sum: Double
    /// Every observation.
    public var count: Int

    public init(upperBounds: [Double], cumulativeCounts: [Int], sum: Double, count: Int) {
        self.upperBounds = upperBounds
        self.cumulativeCounts = cumulativeCounts
        self.sum = sum
        self.count = count
    }
}
