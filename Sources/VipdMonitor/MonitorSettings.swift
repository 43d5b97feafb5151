import VipdCore
import VipdVRRPPacket

/// A VRRP group the monitor should see on the wire, from the cluster configuration.
public struct ExpectedGroup: Sendable, Hashable {
    /// The instance name in the configuration, e.g. `VI_1`.
    public var name: String
    public var key: GroupKey
    public var version: VRRPVersion
    public var interval: Duration
    public var virtualAddresses: [IPAddress]

    /// A group expected on the wire.
    public init(name: String, key: GroupKey, version: VRRPVersion, interval: Duration, virtualAddresses: [IPAddress]) {
        self.name = name
        self.key = key
        self.version = version
        self.interval = interval
        self.virtualAddresses = virtualAddresses
    }
}

/// What the analyzer knows before the first packet, and its thresholds.
public struct MonitorSettings: Sendable, Hashable {
    /// Groups that must have a master (from the configuration); others are discovered on the wire.
    public var expectedGroups: [ExpectedGroup]
    /// Names for addresses in findings, e.g. the cluster's node names: `10.0.0.1 (ha0)`.
    public var nodeNames: [IPAddress: String]
    /// This host's own addresses (in the daemon): their adverts are not "peer" adverts.
    public var localAddresses: Set<IPAddress>
    /// More master changes than this within `flappingWindow` is flapping.
    public var flappingChanges: Int
    public var flappingWindow: Duration
    /// How long an address claim (ARP / NA) counts as current.
    public var claimWindow: Duration
    /// How long an ICMP rejection, a bad checksum or a departed master stays in the findings.
    public var findingHoldTime: Duration
    /// How far capture time must move before the rules are evaluated again during a burst of packets.
    public var evaluationStep: Duration
    /// How many peer adverts the wire must show, with none reaching the VRRP socket, for one-sided visibility.
    public var unseenAdvertsForOneSidedVisibility: Int

    /// Settings with the usual thresholds: flapping is more than 3 master changes a minute.
    public init(
        expectedGroups: [ExpectedGroup] = [], nodeNames: [IPAddress: String] = [:], localAddresses: Set<IPAddress> = [],
        flappingChanges: Int = 3, flappingWindow: Duration = .seconds(60), claimWindow: Duration = .seconds(10),
        findingHoldTime: Duration = .seconds(60), evaluationStep: Duration = .milliseconds(100),
        unseenAdvertsForOneSidedVisibility: Int = 3
    ) {
        self.expectedGroups = expectedGroups
        self.nodeNames = nodeNames
        self.localAddresses = localAddresses
        self.flappingChanges = flappingChanges
        self.flappingWindow = flappingWindow
        self.claimWindow = claimWindow
        self.findingHoldTime = findingHoldTime
        self.evaluationStep = evaluationStep
        self.unseenAdvertsForOneSidedVisibility = unseenAdvertsForOneSidedVisibility
    }

    /// `10.0.0.1 (ha0)` when the address has a name, else the address.
    func label(_ address: IPAddress) -> String {
        nodeNames[address].map { "\(address) (\($0))" } ?? address.description
    }
}
