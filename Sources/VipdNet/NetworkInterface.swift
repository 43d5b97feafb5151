import CVipdSys

/// A network interface as rtnetlink reports it (`RTM_NEWLINK`): what the VRRP speaker needs
/// to decide whether it can use the link.
public struct NetworkInterface: Sendable, Equatable, CustomStringConvertible {
    /// The RFC 2863 operational state (`IFLA_OPERSTATE`, `IF_OPER_*`), as `ip link` shows it.
    public enum OperationalState: UInt8, Sendable, Equatable {
        /// The driver does not report a state (loopback, dummy, some tunnels).
        case unknown = 0
        /// The interface is gone; `LinkMonitor` reports a deleted interface this way.
        case notPresent = 1
        /// Down: administratively, or without carrier on an interface the kernel sees no lower
        /// layer for (a veth whose peer has the same index in its own namespace shows this).
        case down = 2
        /// Administratively up but a lower layer is down: no carrier, e.g. a veth whose peer is down.
        case lowerLayerDown = 3
        /// Running a self-test (`ethtool -t`).
        case testing = 4
        /// Up but waiting for an external event, such as 802.1X authentication.
        case dormant = 5
        /// Ready to pass packets.
        case up = 6
    }

    /// `IFLA_IFNAME`, e.g. `eth0`.
    public let name: String
    /// The kernel's interface index (`ifi_index`).
    public let index: Int32
    /// `IFLA_ADDRESS`: 6 bytes for Ethernet, empty for interfaces without one.
    public let hardwareAddress: [UInt8]
    /// `IFF_UP`: someone ran `ip link set X up`.
    public let isAdministrativelyUp: Bool
    /// `IFF_LOWER_UP`: the link layer has carrier (a veth: its peer is up too).
    public let hasCarrier: Bool
    /// `IFLA_MTU`.
    public let mtu: Int
    /// `IFLA_OPERSTATE`.
    public let operationalState: OperationalState
    /// `IFF_MULTICAST`: the interface can send and receive multicast (VRRP's 224.0.0.18 / ff02::12).
    public let supportsMulticast: Bool

    /// Creates an interface description; the library builds these from rtnetlink messages.
    public init(
        name: String, index: Int32, hardwareAddress: [UInt8], isAdministrativelyUp: Bool,
        hasCarrier: Bool, mtu: Int, operationalState: OperationalState, supportsMulticast: Bool = true
    ) {
        self.name = name
        self.index = index
        self.hardwareAddress = hardwareAddress
        self.isAdministrativelyUp = isAdministrativelyUp
        self.hasCarrier = hasCarrier
        self.mtu = mtu
        self.operationalState = operationalState
        self.supportsMulticast = supportsMulticast
    }

    /// Whether packets can flow: administratively up, with carrier, and operationally up
    /// (or `unknown`, which drivers without state reporting use for a working link).
    public var isUsable: Bool {
        isAdministrativelyUp && hasCarrier && (operationalState == .up || operationalState == .unknown)
    }

    /// The hardware address as `ip link` prints it, e.g. `02:00:5e:00:01:0a`.
    public var hardwareAddressText: String {
        hardwareAddress.colonSeparatedHex
    }

    /// `eth0 (#2, 02:00:5e:00:01:0a, up, carrier, mtu 1500, up)`.
    public var description: String {
        let admin = isAdministrativelyUp ? "up" : "down"
        let carrier = hasCarrier ? "carrier" : "no carrier"
        return "\(name) (#\(index), \(hardwareAddressText), \(admin), \(carrier), mtu \(mtu), \(operationalState))"
    }
}

extension NetworkInterface {
    /// Reads an `RTM_NEWLINK` message; `IFLA_IFNAME` is required.
    init(link: LinkMessage) throws(NetworkError) {
        guard let name = link.attributes.first(ofType: Netlink.linkName)?.stringValue else {
            throw .malformedNetlinkMessage("RTM_NEWLINK for index \(link.index) without IFLA_IFNAME")
        }
        let state = link.attributes.first(ofType: Netlink.linkOperationalState)?.value.first
        self.init(
            name: name,
            index: link.index,
            hardwareAddress: link.attributes.first(ofType: Netlink.linkAddress)?.value ?? [],
            isAdministrativelyUp: link.flags & UInt32(IFF_UP) != 0,
            hasCarrier: link.flags & UInt32(IFF_LOWER_UP.rawValue) != 0,
            mtu: Int(link.attributes.first(ofType: Netlink.linkMTU)?.uint32Value ?? 0),
            operationalState: state.flatMap(OperationalState.init(rawValue:)) ?? .unknown,
            supportsMulticast: link.flags & UInt32(IFF_MULTICAST) != 0
        )
    }

    /// This interface once deleted: not up, no carrier, `notPresent`.
    var deleted: NetworkInterface {
        NetworkInterface(
            name: name, index: index, hardwareAddress: hardwareAddress,
            isAdministrativelyUp: false, hasCarrier: false, mtu: mtu, operationalState: .notPresent,
            supportsMulticast: supportsMulticast
        )
    }
}
