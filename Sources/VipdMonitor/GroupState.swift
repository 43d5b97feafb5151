import VipdCore

/// Two masters of one group at once: `loser` advertises as master although `winner` outranks it
/// and is advertising.
public struct MasterConflict: Sendable, Hashable {
    public var winner: IPAddress
    public var loser: IPAddress
    /// When the loser's advertisement first showed it did not hear the winner.
    public var since: MonitorInstant
    /// Which evidence showed it.
    public var evidence: Evidence

    /// How the wire showed that the loser does not hear the winner.
    public enum Evidence: Sendable, Hashable {
        /// The loser became master while the winner had advertised without a gap for longer than
        /// the loser's Master_Down_Interval.
        case tookOverFromLiveMaster(winnerAdvertisingFor: Duration)
        /// The winner appeared and the loser kept advertising (twice) instead of yielding.
        case didNotYield
    }
}

/// What the wire has shown about one VRRP group.
public struct GroupState: Sendable, Hashable {
    public let key: GroupKey
    public internal(set) var advertisers: [IPAddress: AdvertiserState] = [:]
    public internal(set) var firstSeen: MonitorInstant
    /// The only active master after the latest advertisement, when there was exactly one.
    public internal(set) var soleMaster: IPAddress?
    /// Times the sole master changed, within the flapping window.
    public internal(set) var masterChanges: [MonitorInstant] = []
    /// Masters advertising at the same time, by (winner, loser).
    public internal(set) var conflicts: [PairKey: MasterConflict] = [:]
    /// When the latest conflict ended: address claims before it belong to that split brain.
    public internal(set) var lastConflictEnded: MonitorInstant?
    /// Protocol-112 packets of this group's family on its interface that could not be decoded, by reason.
    public internal(set) var malformedCounts: [String: Int] = [:]

    /// A (winner, loser) pair of addresses.
    public struct PairKey: Sendable, Hashable {
        public var winner: IPAddress
        public var loser: IPAddress
    }

    init(key: GroupKey, firstSeen: MonitorInstant) {
        self.key = key
        self.firstSeen = firstSeen
    }

    /// The advertisers that are master now.
    public func activeMasters(at now: MonitorInstant) -> [AdvertiserState] {
        advertisers.values.filter { $0.isActiveMaster(at: now) }
    }
}
