import VipdCore

/// One VRRP instance (`vrrp.NAME`, keepalived's `vrrp_instance`): the group of nodes that elects
/// one holder for a set of virtual addresses on one interface.
public struct VRRPInstanceConfig: Sendable, Equatable {
    /// The instance name used in logs and notify commands, e.g. `VI_1`.
    public var name: String
    /// The interface the adverts go out on and the virtual addresses are added to (`interface`).
    public var interface: String
    /// The Virtual Router Identifier 1...255 (`router_id`, keepalived's `virtual_router_id`).
    public var virtualRouterID: Int
    /// 2 (RFC 3768, IPv4 only) or 3 (RFC 5798, the default) (`version`).
    public var version: Int
    /// Time between two adverts of the master (`advert_interval`, default 1s).
    /// VRRPv2 carries whole seconds; VRRPv3 carries 10 ms steps up to 40.95 s.
    public var advertisementInterval: Duration
    /// Whether a higher-priority node takes the addresses back from a lower one (`preempt`, default true).
    public var preempt: Bool
    /// How long a higher-priority node waits before taking over from a lower one (`preempt_delay`, default 0).
    public var preemptDelay: Duration
    /// Send adverts to the other `cluster.nodes` and accept adverts only from them (`unicast`, default false:
    /// multicast to 224.0.0.18 / ff02::12).
    public var unicast: Bool
    /// VRRPv2 simple password, up to 8 bytes (`authentication.password`; keepalived `auth_type PASS`).
    public var password: String?
    /// The virtual addresses with their prefix length (`virtual_addresses`), all of one family.
    public var virtualAddresses: [IPPrefix]
    /// Objects whose failure lowers this node's priority or puts the instance in FAULT (`track`).
    public var track: [TrackedObjectConfig]
    /// Gratuitous ARP / unsolicited NA on becoming master (`garp`).
    public var announcements: AnnouncementConfig
    /// Commands run on state changes (`notify`).
    public var notify: NotifyConfig
    /// Longest time a leaving master keeps its addresses while waiting for the new master's first
    /// advert during a planned handover (`handover_timeout`; default: Master_Down_Interval + 1 s).
    public var handoverTimeout: Duration?

    public init(
        name: String, interface: String, virtualRouterID: Int, version: Int = 3,
        advertisementInterval: Duration = .seconds(1), preempt: Bool = true, preemptDelay: Duration = .zero,
        unicast: Bool = false, password: String? = nil, virtualAddresses: [IPPrefix],
        track: [TrackedObjectConfig] = [], announcements: AnnouncementConfig = .init(), notify: NotifyConfig = .init(),
        handoverTimeout: Duration? = nil
    ) {
        self.name = name
        self.interface = interface
        self.virtualRouterID = virtualRouterID
        self.version = version
        self.advertisementInterval = advertisementInterval
        self.preempt = preempt
        self.preemptDelay = preemptDelay
        self.unicast = unicast
        self.password = password
        self.virtualAddresses = virtualAddresses
        self.track = track
        self.announcements = announcements
        self.notify = notify
        self.handoverTimeout = handoverTimeout
    }

    /// The family of the virtual addresses (an instance carries one family).
    public var family: IPAddress.Family { virtualAddresses.first?.address.family ?? .v4 }
}

/// Something a VRRP instance watches (`track.interfaces`, `track.pools`, `track.scripts`,
/// `track.files`, `track.processes`), with keepalived's weight semantics: while the object fails, a
/// negative weight lowers the priority by its magnitude and weight 0 puts the instance in FAULT; while
/// it succeeds, a positive weight raises it. A file's integer is multiplied by the weight instead.
public struct TrackedObjectConfig: Sendable, Equatable {
    public enum Kind: String, Sendable, Equatable {
        /// A network interface: fails while it is down or has no carrier.
        case interface
        /// One of the proxy's own pools: fails while no server of it is up.
        case pool
        /// A `track_scripts` entry: fails after `fall` failed runs, succeeds after `rise` good ones.
        case script
        /// A file holding an integer (`track.files`, keepalived's `track_file`), named by its absolute
        /// path: the integer times the weight is added to the priority; with weight 0 a value other
        /// than 0 puts the instance in FAULT. A missing or unreadable file counts as 0.
        case file
        /// Processes of one name (`track.processes`, keepalived's `track_process`): fails while fewer
        /// than `minimum` or more than `maximum` of them run.
        case process
    }

    public var kind: Kind
    /// The interface, pool, script or process name, or the file's path.
    public var name: String
    /// -254...254; 0 means FAULT while failing.
    public var weight: Int
    /// For a process: the fewest processes of that name that must run (`min`, default 1).
    public var minimum: Int
    /// For a process: the most that may run (`max`); nil: no limit.
    public var maximum: Int?

    public init(kind: Kind, name: String, weight: Int, minimum: Int = 1, maximum: Int? = nil) {
        self.kind = kind
        self.name = name
        self.weight = weight
        self.minimum = minimum
        self.maximum = maximum
    }
}

/// Gratuitous ARP / unsolicited neighbour advertisement settings (`vrrp.NAME.garp`), after keepalived's
/// `garp_master_repeat`, `garp_interval`, `garp_master_delay`, `garp_master_refresh` and
/// `garp_master_refresh_repeat`.
public struct AnnouncementConfig: Sendable, Equatable {
    /// Announcements per address in one burst (`count`, default 5).
    public var count: Int
    /// Pause between two announcements of a burst (`interval`, default 0: back to back).
    public var interval: Duration
    /// A second burst this long after becoming master (`repeat_after`, default 5s; 0 disables).
    public var repeatAfter: Duration
    /// While master, announce again this often, for switches that age out their entries (`refresh`;
    /// nil, the default: never).
    public var refresh: Duration?
    /// Announcements per address at each refresh (`refresh_count`, default 1).
    public var refreshCount: Int

    public init(
        count: Int = 5, interval: Duration = .zero, repeatAfter: Duration = .seconds(5), refresh: Duration? = nil,
        refreshCount: Int = 1
    ) {
        self.count = count
        self.interval = interval
        self.repeatAfter = repeatAfter
        self.refresh = refresh
        self.refreshCount = refreshCount
    }
}

/// Commands run through `/bin/sh -c` when an instance changes state (`vrrp.NAME.notify`), with
/// `VIPD_INSTANCE`, `VIPD_STATE`, `VIPD_PREVIOUS_STATE`, `VIPD_REASON` and `VIPD_PRIORITY` in the environment.
public struct NotifyConfig: Sendable, Equatable {
    /// On becoming MASTER (`master`).
    public var master: String?
    /// On becoming BACKUP (`backup`).
    public var backup: String?
    /// On entering FAULT (`fault`).
    public var fault: String?
    /// On stopping (`stop`).
    public var stop: String?
    /// On every change, after the state's own command (`any`).
    public var any: String?

    public init(master: String? = nil, backup: String? = nil, fault: String? = nil, stop: String? = nil, any: String? = nil) {
        self.master = master
        self.backup = backup
        self.fault = fault
        self.stop = stop
        self.any = any
    }

    /// True when no command is configured.
    public var isEmpty: Bool { [master, backup, fault, stop, any].allSatisfy { $0 == nil } }
}

/// A command run periodically whose exit status is tracked (`track_scripts.NAME`, keepalived's `vrrp_script`).
public struct TrackScriptConfig: Sendable, Equatable {
    public var name: String
    /// Run through `/bin/sh -c`; exit status 0 is success (`command`).
    public var command: String
    /// Time between two runs (`interval`, default 2s).
    public var interval: Duration
    /// A run that takes longer is killed and counts as a failure (`timeout`, default 2s).
    public var timeout: Duration
    /// Consecutive failures that make it fail (`fall`, default 2).
    public var fall: Int
    /// Consecutive successes that make it succeed again (`rise`, default 2).
    public var rise: Int

    public init(
        name: String, command: String, interval: Duration = .seconds(2), timeout: Duration = .seconds(2), fall: Int = 2,
        rise: Int = 2
    ) {
        self.name = name
        self.command = command
        self.interval = interval
        self.timeout = timeout
        self.fall = fall
        self.rise = rise
    }
}
