/// One VRRP instance of this node: state, priorities, who holds the virtual addresses, recent transitions.
public struct VRRPInstanceStats: Codable, Sendable, Equatable {
    /// One state change.
    public struct Transition: Codable, Sendable, Equatable {
        /// Seconds since the Unix epoch.
        public var at: Double
        /// `BACKUP`, `MASTER`, …
        public var from: String
        public var to: String
        /// Why, in words (`master down timer expired: no advertisement from 10.0.0.1 for 3.61 s`).
        public var reason: String

        public init(at: Double, from: String, to: String, reason: String) {
            self.at = at
            self.from = from
            self.to = to
            self.reason = reason
        }
    }

    /// The states an instance can be in, as `state` spells them.
    public static let states = ["INIT", "BACKUP", "MASTER", "FAULT"]

    public var name: String
    public var interface: String
    public var routerID: Int
    public var version: Int
    /// The virtual addresses with their prefix length.
    public var virtualAddresses: [String]
    /// One of ``states``.
    public var state: String
    /// This node's configured priority.
    public var priority: Int
    /// The priority advertised now, after tracking.
    public var effectivePriority: Int
    /// The router holding the virtual addresses as far as this node knows (its own address while
    /// master, else the last master heard); nil when unknown.
    public var masterAddress: String?
    /// Whether that router is this node.
    public var masterIsThisNode: Bool
    /// Why the instance is in FAULT.
    public var faultReason: String?
    /// Held out of the master role by `vipd ctl handover` until `vipd ctl ready`: the node does not
    /// take the virtual addresses, even when no master is left. Nil only when read from a vipd
    /// that predates it (a peer not yet upgraded), which counts as not held.
    public var held: Bool?
    public var advertisementsReceived: Int
    public var advertisementsSent: Int
    /// Of `advertisementsReceived`, those from a unicast peer across a router (TTL below 255); nil
    /// when read from a vipd that predates it.
    public var routedAdvertisementsReceived: Int?
    /// Every transition since the start.
    public var transitionsTotal: Int
    /// Connections this node still serves on virtual addresses it gave away in a planned move
    /// (held on `lo` until they end); nil when sessions are not kept or from an older vipd.
    public var movedSessions: Int?
    /// The virtual addresses held on `lo` for those sessions.
    public var heldAddresses: [String]?
    /// As master after a planned move: the previous master that segments of its sessions are sent to.
    public var forwardingTo: String?
    /// Segments sent to a previous master since the start.
    public var forwardedSegments: Int?
    /// Virtual addresses put back after another program removed them while master, since the
    /// start; nil when read from a vipd that predates it.
    public var restoredAddresses: Int?
    /// The most recent transitions, newest first.
    public var recentTransitions: [Transition]
    /// The sync group the instance belongs to; nil for none, or from an older vipd.
    public var syncGroup: String?
    /// That group's state on this node (one of ``states``).
    public var syncGroupState: String?

    /// Whether the instance is held (`held`, false when not reported).
    public var isHeld: Bool { held ?? false }

    public init(
        name: String, interface: String, routerID: Int, version: Int, virtualAddresses: [String], state: String,
        priority: Int, effectivePriority: Int, masterAddress: String?, masterIsThisNode: Bool, faultReason: String?,
        held: Bool, advertisementsReceived: Int, advertisementsSent: Int, transitionsTotal: Int, recentTransitions: [Transition],
        routedAdvertisementsReceived: Int? = nil, movedSessions: Int? = nil, heldAddresses: [String]? = nil,
        forwardingTo: String? = nil, forwardedSegments: Int? = nil, syncGroup: String? = nil, syncGroupState: String? = nil,
        restoredAddresses: Int? = nil
    ) {
        self.syncGroup = syncGroup
        self.syncGroupState = syncGroupState
        self.restoredAddresses = restoredAddresses
        self.movedSessions = movedSessions
        self.heldAddresses = heldAddresses
        self.forwardingTo = forwardingTo
        self.forwardedSegments = forwardedSegments
        self.name = name
        self.interface = interface
        self.routerID = routerID
        self.version = version
        self.virtualAddresses = virtualAddresses
        self.state = state
        self.priority = priority
        self.effectivePriority = effectivePriority
        self.masterAddress = masterAddress
        self.masterIsThisNode = masterIsThisNode
        self.faultReason = faultReason
        self.held = held
        self.advertisementsReceived = advertisementsReceived
        self.advertisementsSent = advertisementsSent
        self.routedAdvertisementsReceived = routedAdvertisementsReceived
        self.transitionsTotal = transitionsTotal
        self.recentTransitions = recentTransitions
    }
}
