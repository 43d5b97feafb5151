import VipdConfig
import VipdCore
import VipdHandoff
import VipdVRRP

/// One VRRP instance as this node sees it now, for the stats page and `vipd ctl status`.
public struct VRRPInstanceReport: Sendable {
    /// A state change and when it happened.
    public struct RecordedTransition: Sendable {
        public var transition: VRRPTransition
        public var at: ContinuousClock.Instant
    }

    /// How many transitions a report keeps (the most recent ones).
    public static let transitionsKept = 10

    public var config: VRRPInstanceConfig
    public var state: VRRPState
    /// This node's configured priority (`cluster.nodes.NAME.priority`).
    public var priority: UInt8
    /// The priority advertised now, after tracking.
    public var effectivePriority: UInt8
    /// The router holding the virtual addresses as far as this node knows: its own address while
    /// master, else the sender of the last master advertisement heard; nil when unknown.
    public var masterAddress: IPAddress?
    /// Whether `masterAddress` is this node.
    public var isMasterHere: Bool
    /// The fault reason while in FAULT.
    public var faultReason: String?
    /// Held out of the master role by `vipd ctl handover` until `vipd ctl ready`.
    public var isHeld: Bool
    /// Adverts, drops and transitions counted so far.
    public var counters: VRRPCounters
    /// The last ``transitionsKept`` transitions, oldest first.
    public var recentTransitions: [RecordedTransition]
    /// Sessions kept across moves: the previous owner segments go to, the addresses held on `lo`,
    /// the segments forwarded; nil when sessions are not kept.
    public var handoff: SessionHandoff.InstanceReport?
    /// The sync group the instance belongs to, if any.
    public var syncGroup: String? = nil
    /// That group's state on this node.
    public var syncGroupState: VRRPState? = nil
    /// Virtual addresses put back after another program removed them while master, since the start.
    public var restoredAddresses: Int = 0
}
