/// Dropped advertisements per reason, keyed by `VRRPDropReason.counterKey`.
public struct VRRPDropCounters: Sendable, Hashable {
    /// The count per `VRRPDropReason.counterKey`; reasons never seen are absent.
    public private(set) var countsByKey: [String: Int] = [:]

    /// No drops yet.
    public init() {}

    /// The number of drops with this counter key (0 when never seen).
    public subscript(counterKey: String) -> Int { countsByKey[counterKey, default: 0] }

    /// The number of drops of the kind of `reason` (associated values are ignored).
    public subscript(reason: VRRPDropReason) -> Int { self[reason.counterKey] }

    /// All drops.
    public var total: Int { countsByKey.values.reduce(0, +) }

    /// Counts one drop.
    public mutating func record(_ reason: VRRPDropReason) {
        countsByKey[reason.counterKey, default: 0] += 1
    }
}

/// State transitions per (from, to) pair, like FRR's and keepalived's per-transition statistics.
public struct VRRPTransitionCounters: Sendable, Hashable {
    /// One edge of the state diagram.
    public struct Edge: Sendable, Hashable, CustomStringConvertible {
        /// The state left.
        public var from: VRRPState
        /// The state entered.
        public var to: VRRPState

        /// An edge from `from` to `to`.
        public init(from: VRRPState, to: VRRPState) {
            self.from = from
            self.to = to
        }

        /// `BACKUP -> MASTER`.
        public var description: String { "\(from) -> \(to)" }
    }

    /// The count per edge; edges never taken are absent.
    public private(set) var countsByEdge: [Edge: Int] = [:]

    /// No transitions yet.
    public init() {}

    /// How often the instance went from `from` to `to`.
    public subscript(from from: VRRPState, to to: VRRPState) -> Int {
        countsByEdge[Edge(from: from, to: to), default: 0]
    }

    /// All transitions.
    public var total: Int { countsByEdge.values.reduce(0, +) }

    /// Counts one transition.
    public mutating func record(from: VRRPState, to: VRRPState) {
        countsByEdge[Edge(from: from, to: to), default: 0] += 1
    }
}

/// Everything a state machine counts, for the stats page and `vipd ctl status`.
public struct VRRPCounters: Sendable, Hashable {
    /// Advertisements dropped by the receive filter, per reason.
    public internal(set) var drops = VRRPDropCounters()
    /// State transitions, per (from, to).
    public internal(set) var transitions = VRRPTransitionCounters()
    /// Valid advertisements received (after the filter), including priority 0.
    public internal(set) var advertisementsReceived = 0
    /// Valid advertisements from a unicast peer that arrived with a TTL / hop limit below 255: they
    /// crossed a router, which unicast VRRP allows (keepalived does too).
    public internal(set) var routedAdvertisementsReceived = 0
    /// Valid advertisements received with priority 0 (a master leaving).
    public internal(set) var priorityZeroReceived = 0
    /// Advertisements the machine asked to send, including priority 0.
    public internal(set) var advertisementsSent = 0
    /// Priority-0 advertisements the machine asked to send (leaving master).
    public internal(set) var priorityZeroSent = 0

    /// Nothing counted yet (an instance that has not run).
    public init() {}
}
