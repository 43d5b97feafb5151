// Duration in the units vipd's protocols, timers and system calls count in, all on one
// arithmetic: whole units are `seconds * perSecond + attoseconds / attosecondsPerUnit`.
// NIO's own `TimeAmount(_: Duration)` and `Duration(_: TimeAmount)` convert to and from NIO.

extension Duration {
    /// Whole milliseconds, rounded down (`2001`).
    public var wholeMilliseconds: Int64 { whole(perSecond: 1000) }

    /// Whole centiseconds, rounded down (VRRPv3's unit).
    public var wholeCentiseconds: Int64 { whole(perSecond: 100) }

    /// A duration of `count` centiseconds.
    public static func centiseconds(_ count: Int64) -> Duration { .milliseconds(count * 10) }

    /// The duration in seconds, as Foundation's `TimeInterval`, `DispatchTime` arithmetic and
    /// socket options want it.
    public var timeInterval: Double { self / .seconds(1) }

    /// Whole `1/perSecond` fractions of a second, rounded down; `perSecond` divides 10^18.
    private func whole(perSecond: Int64) -> Int64 {
        let (seconds, attoseconds) = components
        return seconds * perSecond + attoseconds / (1_000_000_000_000_000_000 / perSecond)
    }
}
