/// When the next check of one server is due, pure and clock-injected.
///
/// Checks of one server never overlap: while one runs nothing is due. The first check is due at
/// once (every server of a pool is checked when the pool starts; first checks are not spread).
/// Afterwards a check is due `interval` after the previous one started, or as soon as it finished
/// when it took longer than that (a timeout longer than the interval).
public struct CheckSchedule<C: Clock>: Sendable where C.Duration == Duration {
    public let interval: Duration
    public private(set) var lastStart: C.Instant?
    public private(set) var lastFinish: C.Instant?
    public private(set) var isRunning = false

    public init(interval: Duration) {
        self.interval = max(interval, .zero)
    }

    /// When the next check is due; nil while a check is running.
    public func nextDue(now: C.Instant) -> C.Instant? {
        if isRunning { return nil }
        guard let lastStart else { return now }
        let byInterval = lastStart.advanced(by: interval)
        if let lastFinish, lastFinish > byInterval { return lastFinish }
        return byInterval
    }

    /// How long from `now` until the next check is due (zero when overdue); nil while one runs.
    public func delay(now: C.Instant) -> Duration? {
        guard let due = nextDue(now: now) else { return nil }
        let wait = now.duration(to: due)
        return wait > .zero ? wait : .zero
    }

    /// Whether a check should start at `now`.
    public func isDue(now: C.Instant) -> Bool {
        guard let due = nextDue(now: now) else { return false }
        return due <= now
    }

    /// Records that a check started at `now`. Returns false (and records nothing) if one is running.
    @discardableResult
    public mutating func checkStarted(at now: C.Instant) -> Bool {
        guard !isRunning else { return false }
        isRunning = true
        lastStart = now
        return true
    }

    /// Records that the running check finished at `now`.
    public mutating func checkFinished(at now: C.Instant) {
        isRunning = false
        lastFinish = now
    }
}
