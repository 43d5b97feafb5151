import NIOCore
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// Socket options that let a listener bind an address this host does not hold (yet), such as a VIP
/// before VRRP makes this node the master — without `net.ipv4.ip_nonlocal_bind`.
enum FreeBind {
    /// `IP_FREEBIND` from linux/in.h.
    static let ipv4Option = NIOBSDSocket.Option(rawValue: 15)
    /// `IPV6_FREEBIND` from linux/in6.h.
    static let ipv6Option = NIOBSDSocket.Option(rawValue: 78)

    /// The option for the endpoint's address family.
    static func option(for endpoint: SocketEndpoint) -> ChannelOptions.Types.SocketOption {
        switch endpoint.address.family {
        case .v4: ChannelOptions.Types.SocketOption(level: .ip, name: ipv4Option)
        case .v6: ChannelOptions.Types.SocketOption(level: .ipv6, name: ipv6Option)
        }
    }
}
