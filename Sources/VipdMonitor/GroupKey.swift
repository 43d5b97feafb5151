import VipdCore

/// One VRRP group on the wire: the routers of one interface, address family and VRID.
///
/// VRRPv2 and VRRPv3 with the same VRID share a group on purpose: they collide on the segment,
/// and the analyzer reports the version mismatch.
public struct GroupKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var interface: String
    public var family: IPAddress.Family
    public var virtualRouterID: UInt8

    /// The group of `virtualRouterID` for `family` on `interface`.
    public init(interface: String, family: IPAddress.Family, virtualRouterID: UInt8) {
        self.interface = interface
        self.family = family
        self.virtualRouterID = virtualRouterID
    }

    /// `eth0 VRID 51`, with ` IPv6` appended for IPv6 groups.
    public var description: String {
        "\(interface) VRID \(virtualRouterID)\(family == .v6 ? " IPv6" : "")"
    }

    public static func < (lhs: GroupKey, rhs: GroupKey) -> Bool {
        (lhs.interface, lhs.family == .v6 ? 1 : 0, lhs.virtualRouterID)
            < (rhs.interface, rhs.family == .v6 ? 1 : 0, rhs.virtualRouterID)
    }
}
