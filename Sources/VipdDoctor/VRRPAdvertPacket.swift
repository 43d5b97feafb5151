import VipdCore

/// An incoming VRRP advertisement as a firewall sees it: what the doctor asks the ruleset about.
public struct VRRPAdvertPacket: Sendable, Equatable, CustomStringConvertible {
    /// The sender: one peer's address, or a range when only that is known (an IPv6 multicast
    /// advert comes from the peer's link-local address, somewhere in fe80::/10).
    public var source: AddressRange
    /// 224.0.0.18, ff02::12, or this node's address for unicast.
    public var destination: IPAddress
    /// The VRRP interface.
    public var interface: String

    public init(source: AddressRange, destination: IPAddress, interface: String) {
        self.source = source
        self.destination = destination
        self.interface = interface
    }

    /// Any IPv6 link-local address (fe80::/10).
    public static let linkLocalSources = AddressRange(IPPrefix(parsing: "fe80::/10")!)

    public var family: IPAddress.Family { destination.family }

    /// Multicast adverts are `multicast` to the link layer; unicast ones are for this `host`.
    public var packetType: String {
        let first = destination.bytes[0]
        return (family == .v4 ? first >= 224 && first <= 239 : first == 0xff) ? "multicast" : "host"
    }

    /// `protocol 112 from 10.251.1.12 to 224.0.0.18 on eth0`.
    public var description: String { "protocol 112 from \(source) to \(destination) on \(interface)" }

    /// Whether `condition` holds for this packet: true, false, or nil when it cannot be known.
    /// A new connection is assumed for conntrack: adverts to a group never get an answer, and a
    /// unicast advert starts one whenever the other side is silent.
    public func satisfies(_ condition: PacketCondition) -> Bool? {
        switch condition {
        case .family(let family): return family == self.family
        case .protocolNumber(let numbers): return numbers.contains(PacketCondition.vrrpProtocol)
        case .source(let ranges): return Self.address(source, in: ranges)
        case .destination(let ranges): return Self.address(AddressRange(destination), in: ranges)
        case .inputInterface(let patterns):
            return patterns.contains { pattern in
                pattern.hasSuffix("*") ? interface.hasPrefix(pattern.dropLast()) : interface == pattern
            }
        case .connectionState(let states): return states.contains("new")
        case .packetType(let types): return types.contains(packetType)
        case .not(let inner): return satisfies(inner).map { !$0 }
        case .unknown: return nil
        }
    }

    private static func address(_ address: AddressRange, in ranges: [AddressRange]) -> Bool? {
        if ranges.contains(where: { $0.contains(address) }) { return true }
        if ranges.allSatisfy({ $0.isDisjoint(with: address) }) { return false }
        return nil
    }
}
