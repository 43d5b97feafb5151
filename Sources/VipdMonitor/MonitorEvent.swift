import VipdCore

/// What the analyzer tells its reporters, in time order.
public enum MonitorEvent: Sendable, Hashable {
    /// The first advertisement of a group was seen.
    case groupDiscovered(GroupKey, at: MonitorInstant)
    /// A group's sole master changed (`from` is nil for the first master seen).
    case masterChanged(GroupKey, from: IPAddress?, to: IPAddress, at: MonitorInstant)
    /// A finding began.
    case findingOnset(Finding)
    /// A finding ended; `finding` is its last state.
    case findingCleared(Finding, at: MonitorInstant)

    /// When it happened.
    public var time: MonitorInstant {
        switch self {
        case .groupDiscovered(_, let at), .masterChanged(_, _, _, let at), .findingCleared(_, let at): at
        case .findingOnset(let finding): finding.since
        }
    }
}
