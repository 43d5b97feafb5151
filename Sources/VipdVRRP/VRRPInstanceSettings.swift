import VipdCore
import VipdVRRPPacket

/// What one node's VRRP instance needs to run the protocol: the instance's config resolved for
/// this node (its own address and priority, its unicast peers).
///
/// The values are taken as given; the config loader validates ranges (VRID 1...255, VRRPv2 intervals
/// in whole seconds, VRRPv3 intervals in centiseconds, one address family).
public struct VRRPInstanceSettings: Sendable, Hashable {
    /// The instance name used in log lines, e.g. `VI_1`.
    public var name: String
    /// VRRPv2 (RFC 3768) or VRRPv3 (RFC 5798).
    public var version: VRRPVersion
    /// The Virtual Router Identifier, 1...255.
    public var virtualRouterID: UInt8
    /// The configured priority, 1...255; 255 makes this node the address owner, which becomes master
    /// at once and whose priority tracking never changes.
    public var priority: UInt8
    /// How often the master advertises (VRRPv2 whole seconds, VRRPv3 centiseconds).
    public var advertisementInterval: Duration
    /// Whether this node takes over from a master of lower priority (keepalived's default; `nopreempt`
    /// is `false`).
    public var preempt: Bool
    /// With `preempt`, how long to accept a lower-priority master before preempting it, counted from
    /// entering BACKUP or from first seeing a lower-priority master after a higher one (keepalived's
    /// `preempt_delay`). Zero preempts at once.
    public var preemptDelay: Duration
    /// This node's source address for advertisements (the primary address on the interface); also
    /// the tie-breaker between masters of equal priority.
    public var primaryAddress: IPAddress
    /// The virtual addresses this instance carries, in the order advertised.
    public var virtualAddresses: [IPAddress]
    /// VRRPv2's authentication; ignored for VRRPv3 (always sent as `.none`).
    public var authentication: VRRPAuthentication
    /// The peers' addresses for unicast VRRP; empty means multicast (224.0.0.18 / ff02::12).
    /// With peers, advertisements from any other source are dropped.
    public var unicastPeers: [IPAddress]
    /// The bound of vipd's make-before-break handover: how long a master that announced its departure
    /// keeps its addresses while waiting for the new master's first advertisement.
    public var handoverTimeout: Duration
    /// The sync group the instance belongs to (`sync_groups`), nil for none: then the instance does
    /// not become MASTER on its own but waits until every member would (see `VRRPSyncGroup`).
    public var syncGroup: String?

    /// True for the address owner (priority 255).
    public var isAddressOwner: Bool { priority == 255 }

    /// - Parameter handoverTimeout: nil for `defaultHandoverTimeout(version:advertisementInterval:)`.
    public init(
        name: String, version: VRRPVersion, virtualRouterID: UInt8, priority: UInt8 = 100,
        advertisementInterval: Duration = .seconds(1), preempt: Bool = true, preemptDelay: Duration = .zero,
        primaryAddress: IPAddress, virtualAddresses: [IPAddress], authentication: VRRPAuthentication = .none,
        unicastPeers: [IPAddress] = [], handoverTimeout: Duration? = nil, syncGroup: String? = nil
    ) {
        self.name = name
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.advertisementInterval = advertisementInterval
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.primaryAddress = primaryAddress
        self.virtualAddresses = virtualAddresses
        self.authentication = authentication
        self.unicastPeers = unicastPeers
        self.syncGroup = syncGroup
        self.handoverTimeout =
            handoverTimeout
            ?? Self.defaultHandoverTimeout(version: version, advertisementInterval: advertisementInterval)
    }

    /// The slowest backup's Master_Down_Interval (priority 1: `3 * interval + Skew_Time`) plus 1 s.
    ///
    /// Even when the leaving master's priority-0 advertisement is lost, every backup has declared the
    /// master down and the new master has sent its first advertisement by then; the extra second
    /// covers scheduling and the network. With 1 s advertisements that is just under 5 s.
    public static func defaultHandoverTimeout(version: VRRPVersion, advertisementInterval: Duration) -> Duration {
        VRRPTimers.masterDownInterval(version: version, priority: 1, masterAdvertisementInterval: advertisementInterval)
            + .seconds(1)
    }
}
