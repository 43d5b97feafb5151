import VipdCore
import VipdVRRPPacket

/// What one captured frame says that the monitor cares about.
public enum MonitorPacket: Sendable, Hashable {
    /// A VRRP advertisement, decoded by the speaker's codec without its checksum check (it never checks the TTL).
    case advertisement(AdvertisementSighting)
    /// A protocol-112 packet the codec could not read as an advertisement at all.
    case malformedAdvertisement(MalformedAdvertisement)
    /// Someone said "this IP address is at this MAC": an ARP reply, a gratuitous ARP, or an IPv6
    /// neighbour advertisement.
    case addressClaim(AddressClaim)
    /// An ICMP error sent back for a VRRP packet: the receiver does not accept protocol 112.
    case vrrpRejection(VRRPRejection)
}

/// A VRRP advertisement as seen on the wire.
public struct AdvertisementSighting: Sendable, Hashable {
    /// The Ethernet (or cooked-capture) source address; nil for raw IP captures.
    public var sourceMAC: MACAddress?
    /// The advertisement with its IP source, destination, TTL / hop limit and checksum verdict.
    public var packet: VRRPReceivedPacket

    /// A sighting of `packet` sent from `sourceMAC`.
    public init(sourceMAC: MACAddress?, packet: VRRPReceivedPacket) {
        self.sourceMAC = sourceMAC
        self.packet = packet
    }
}

/// A protocol-112 packet that is not a readable advertisement, with the codec's reason.
public struct MalformedAdvertisement: Sendable, Hashable {
    /// The IP source, when the IP header could be read.
    public var source: IPAddress?
    /// Why the codec rejected it.
    public var error: VRRPPacketError

    /// A malformed packet from `source`.
    public init(source: IPAddress?, error: VRRPPacketError) {
        self.source = source
        self.error = error
    }
}

/// One answer for an address: who says it owns `address`, and how.
public struct AddressClaim: Sendable, Hashable {
    /// How the claim was made.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// An ARP reply to someone's request.
        case arpReply = "ARP reply"
        /// A gratuitous ARP (request or reply whose sender and target address are equal).
        case gratuitousARP = "gratuitous ARP"
        /// An IPv6 neighbour advertisement (solicited or not).
        case neighborAdvertisement = "neighbour advertisement"
    }

    /// The address claimed.
    public var address: IPAddress
    /// The MAC that claims it (ARP sender hardware address, NA target link-layer option, else the frame source).
    public var mac: MACAddress
    public var kind: Kind

    /// `mac` claims `address` by `kind`.
    public init(address: IPAddress, mac: MACAddress, kind: Kind) {
        self.address = address
        self.mac = mac
        self.kind = kind
    }
}

/// An ICMP or ICMPv6 error about a VRRP packet: `reporter` refused what `rejectedSender` sent it.
public struct VRRPRejection: Sendable, Hashable {
    /// The host that sent the ICMP error (the one not accepting VRRP).
    public var reporter: IPAddress
    /// The IP source of the VRRP packet quoted in the error.
    public var rejectedSender: IPAddress
    /// The IP destination of the quoted VRRP packet.
    public var rejectedDestination: IPAddress
    /// The ICMP reason in words, e.g. "protocol unreachable", "administratively prohibited".
    public var reason: String

    /// An error from `reporter` about `rejectedSender`'s packet to `rejectedDestination`.
    public init(reporter: IPAddress, rejectedSender: IPAddress, rejectedDestination: IPAddress, reason: String) {
        self.reporter = reporter
        self.rejectedSender = rejectedSender
        self.rejectedDestination = rejectedDestination
        self.reason = reason
    }
}
