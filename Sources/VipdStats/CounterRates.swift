/// Per-second rates of counters that only grow, from samples over a sliding window: the rate of a
/// counter is its growth between the oldest and the newest sample in the window, divided by the time
/// between them. Pure; the caller passes every sample's time.
public struct CounterRates<Key: Hashable & Sendable>: Sendable {
    /// How far back samples are kept, in seconds.
    public let window: Double
    private var samples: [(at: Double, totals: [Key: [Double]])] = []

    /// Rates over the last `window` seconds.
    public init(window: Double) {
        self.window = window
    }

    /// Records every counter's total at `at` (seconds, any epoch, never going back); samples older
    /// than the window are dropped, but the newest one before it stays so a rate spans the whole window.
    public mutating func record(_ totals: [Key: [Double]], at: Double) {
        samples.append((at, totals))
        while samples.count > 2, at - samples[1].at >= window {
            samples.removeFirst()
        }
    }

    /// The per-second growth of each of `key`'s counters; zeros until two samples hold the key, and a
    /// counter that went back (a restart of its source) counts as no growth.
    public func rates(for key: Key) -> [Double] {
        guard let newest = samples.last, let current = newest.totals[key] else { return [] }
        guard let oldest = samples.first(where: { $0.totals[key] != nil }), newest.at > oldest.at,
            let earlier = oldest.totals[key], earlier.count == current.count
        else { return current.map { _ in 0 } }
        let elapsed = newest.at - oldest.at
        return zip(earlier, current).map { max(0, $1 - $0) / elapsed }
    }
}
