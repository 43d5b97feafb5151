import VipdConfig
import VipdCore

/// One VRRP instance of a node: state, priorities, who holds the virtual addresses, recent
/// transitions. The speaker reports it, `/stats.json` serves it (and reads it from the other nodes'
/// listeners), `vipd ctl status` shows it; the JSON keys are the property names.
public struct VRRPInstanceStatus: Codable, Sendable, Equatable {
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

        /// `transition`, which happened `at` seconds since the Unix epoch.
        public init(_ transition: VRRPTransition, at: Double) {
            self.init(at: at, from: "\(transition.from)", to: "\(transition.to)", reason: "\(transition.reason)")
        }
    }

    /// How many transitions ``recentTransitions`` keeps.
    public static let transitionsKept = 10

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
    /// The most recent transitions (at most ``transitionsKept``), newest first.
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

extension VRRPInstanceStatus {
    /// `config`'s instance as its state machine sees it now; the hand-off fields and the sync
    /// group are left for the caller. `recentTransitions` is newest first.
    public init(
        config: VRRPInstanceConfig, state: VRRPState, priority: UInt8, effectivePriority: UInt8, masterAddress: IPAddress?,
        masterIsThisNode: Bool, faultReason: String?, held: Bool, counters: VRRPCounters, recentTransitions: [Transition],
        restoredAddresses: Int
    ) {
        self.init(
            name: config.name, interface: config.interface, routerID: config.virtualRouterID, version: config.version,
            virtualAddresses: config.virtualAddresses.map(\.description), state: "\(state)", priority: Int(priority),
            effectivePriority: Int(effectivePriority), masterAddress: masterAddress?.description, masterIsThisNode: masterIsThisNode,
            faultReason: faultReason, held: held, advertisementsReceived: counters.advertisementsReceived,
            advertisementsSent: counters.advertisementsSent, transitionsTotal: counters.transitions.total,
            recentTransitions: recentTransitions, routedAdvertisementsReceived: counters.routedAdvertisementsReceived,
            restoredAddresses: restoredAddresses)
    }

    /// `transitions` with `newest` in front, cut to ``transitionsKept``.
    public static func recent(_ transitions: [Transition], adding newest: Transition) -> [Transition] {
        Array(([newest] + transitions).prefix(transitionsKept))
    }
}
