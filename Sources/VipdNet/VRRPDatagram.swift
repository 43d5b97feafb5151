import VipdCore

/// One VRRP packet as the kernel delivered it to a `VRRPSocket`.
public struct VRRPDatagram: Sendable, Equatable {
    /// The VRRP message: the bytes after the IP header.
    public let message: [UInt8]
    /// The IP source address (the sending router's primary or link-local address).
    public let source: IPAddress
    /// The IP destination: 224.0.0.18 / ff02::12, or this node's address for unicast VRRP.
    public let destination: IPAddress
    /// The IPv4 TTL or IPv6 hop limit on arrival (`VRRPHopLimitRule` says when it must be 255).
    public let hopLimit: Int
    /// The index of the interface it arrived on.
    public let interfaceIndex: Int32

    /// Creates a datagram description; `VRRPSocket` builds these from what it receives.
    public init(message: [UInt8], source: IPAddress, destination: IPAddress, hopLimit: Int, interfaceIndex: Int32) {
        self.message = message
        self.source = source
        self.destination = destination
        self.hopLimit = hopLimit
        self.interfaceIndex = interfaceIndex
    }
}
