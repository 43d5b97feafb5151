import VipdCore

/// The protocol version of an advertisement: VRRPv2 (RFC 3768, IPv4 only) or VRRPv3 (RFC 5798).
public enum VRRPVersion: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case v2 = 2
    case v3 = 3

    /// "VRRPv2" or "VRRPv3".
    public var description: String { "VRRPv\(rawValue)" }
}

/// VRRPv2's authentication (RFC 3768 section 5.3.6). VRRPv3 has none.
public enum VRRPAuthentication: Sendable, Hashable {
    /// Auth Type 0.
    case none
    /// Auth Type 1: up to 8 bytes of password, sent in clear, zero padded on the wire
    /// (keepalived's `auth_type PASS`). Stored without the padding.
    case simplePassword([UInt8])
}

/// One VRRP advertisement as a typed value: what the codec decodes from the wire and encodes to it.
///
/// The IP header's source, destination and TTL / hop limit are not part of it; they come with
/// the received packet (see `VRRPReceivedPacket`).
public struct VRRPAdvertisement: Sendable, Hashable {
    /// VRRPv2 or VRRPv3, the first nibble on the wire.
    public var version: VRRPVersion
    /// The Virtual Router Identifier, 1...255.
    public var virtualRouterID: UInt8
    /// 0 (the master is leaving), 1...254 (a backup's priority), 255 (the address owner).
    public var priority: UInt8
    /// VRRPv2's Adver Int (whole seconds, 1...255) or VRRPv3's Max Adver Int (centiseconds, 1...4095).
    public var interval: Duration
    /// The virtual addresses, all of the advertisement's family.
    public var addresses: [IPAddress]
    /// Always `.none` for VRRPv3.
    public var authentication: VRRPAuthentication

    /// An advertisement; `VRRPPacketCodec.encode` documents which values it can put on the wire.
    public init(
        version: VRRPVersion, virtualRouterID: UInt8, priority: UInt8, interval: Duration,
        addresses: [IPAddress], authentication: VRRPAuthentication = .none
    ) {
        self.version = version
        self.virtualRouterID = virtualRouterID
        self.priority = priority
        self.interval = interval
        self.addresses = addresses
        self.authentication = authentication
    }
}

/// An advertisement as it arrived: the decoded value and what the IP layer said about it.
public struct VRRPReceivedPacket: Sendable, Hashable {
    public var advertisement: VRRPAdvertisement
    /// The IP source: the sender's primary address on the segment.
    public var source: IPAddress
    /// The IP destination: 224.0.0.18, ff02::12, or this node's address (unicast).
    public var destination: IPAddress
    /// TTL (IPv4) or hop limit (IPv6): 255 unless it crossed a router (see `VRRPHopLimitRule`).
    public var hopLimit: Int
    /// False when the VRRP checksum was wrong and the decoder was told not to enforce it.
    public var checksumIsValid: Bool

    /// A received advertisement with its IP source, destination and TTL / hop limit.
    public init(
        advertisement: VRRPAdvertisement, source: IPAddress, destination: IPAddress, hopLimit: Int,
        checksumIsValid: Bool = true
    ) {
        self.advertisement = advertisement
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.checksumIsValid = checksumIsValid
    }
}
