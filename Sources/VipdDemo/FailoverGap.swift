import VipdLab

/// What new connections saw around a failover, computed from probe outcomes: how long after the
/// event (the cut) the first connection succeeded again, how many failed before, and how many
/// failed after that (should be none).
public struct FailoverGap: Sendable, Equatable {
    /// From the event to the start of the first successful probe after it; nil when none succeeded.
    public let gap: Duration?
    /// Probes started at or after the event that failed before the first success.
    public let failedBeforeRecovery: Int
    /// Probes that failed after the first success (flapping).
    public let failedAfterRecovery: Int
    /// Probes started at or after the event.
    public let probes: Int

    /// Measures `outcomes` (in start order) against `event`; probes started before it are ignored.
    public init(outcomes: [BannerProbeLoop.Outcome], after event: ContinuousClock.Instant) {
        let after = outcomes.filter { $0.at >= event }
        probes = after.count
        guard let recovery = after.firstIndex(where: \.succeeded) else {
            gap = nil
            failedBeforeRecovery = after.count
            failedAfterRecovery = 0
            return
        }
        gap = after[recovery].at - event
        failedBeforeRecovery = recovery
        failedAfterRecovery = after[recovery...].filter { !$0.succeeded }.count
    }

    /// True once a probe succeeded after the event.
    public var recovered: Bool { gap != nil }
}
