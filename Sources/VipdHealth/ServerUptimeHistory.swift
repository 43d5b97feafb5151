/// When a server last changed between taking traffic and not, how often it went down, and how long
/// it was down in all (haproxy's `lastchg`, `chkdown` and `downtime`). Pure and clock-generic: the
/// caller passes the instant of each change and of each reading.
public struct ServerUptimeHistory<Instant: InstantProtocol>: Sendable, Equatable where Instant.Duration == Duration {
    /// Whether the server is up, nil before anything was recorded (not checked yet).
    public private(set) var isUp: Bool?
    /// When it last changed (or was first recorded).
    public private(set) var lastChange: Instant?
    /// Changes from up to down.
    public private(set) var downCount = 0
    /// Time spent down before the current down period.
    private var downBefore = Duration.zero

    public init() {}

    /// Records that the server is up (`true`) or down at `now`; a repeat of the current state does nothing.
    public mutating func record(isUp: Bool, at now: Instant) {
        guard isUp != self.isUp else { return }
        if self.isUp == false, let since = lastChange { downBefore += since.duration(to: now) }
        if self.isUp == true, !isUp { downCount += 1 }
        self.isUp = isUp
        lastChange = now
    }

    /// Time spent down until `now`, the current down period included.
    public func downtime(at now: Instant) -> Duration {
        guard isUp == false, let since = lastChange else { return downBefore }
        return downBefore + since.duration(to: now)
    }
}
