import NIOCore
import NIOPosix
import VipdConfig
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// A source address that is not this node's, for a transparent pool's connections to its servers:
/// the client's address for a proxied connection, a probe address for a health check. The socket
/// is made transparent (`IP_TRANSPARENT`, `IPV6_TRANSPARENT`), bound to the address (the port is
/// chosen at connect, `IP_BIND_ADDRESS_NO_PORT`), and marked so that the kernel tags its connection
/// for the replies' way back (see VipdTransparent's `TransparentMarks.outbound`).
public struct TransparentSource: Sendable {
    /// `TransparentMarks.outbound`, set with `SO_MARK`.
    static let outboundMark = 0x0080_0000

    /// Where the socket binds: the address, any port.
    let bindAddress: SocketAddress
    /// The address's family: the server is reached at its node's address of this family.
    public let family: IPAddress.Family

    /// The source of a transparent pool's health checks in `family` (``PoolConfig/transparentCheckSource(_:)``).
    public static func healthCheck(_ family: IPAddress.Family) -> TransparentSource {
        TransparentSource(address: PoolConfig.transparentCheckSource(family))
    }

    /// A source at `address`.
    public init(address: IPAddress) {
        family = address.family
        switch address.family {
        case .v4:
            var socketAddress = sockaddr_in()
            socketAddress.sin_family = sa_family_t(AF_INET)
            withUnsafeMutableBytes(of: &socketAddress.sin_addr) { $0.copyBytes(from: address.bytes) }
            bindAddress = SocketAddress(socketAddress, host: address.text)
        case .v6:
            var socketAddress = sockaddr_in6()
            socketAddress.sin6_family = sa_family_t(AF_INET6)
            withUnsafeMutableBytes(of: &socketAddress.sin6_addr) { $0.copyBytes(from: address.bytes) }
            bindAddress = SocketAddress(socketAddress, host: address.text)
        }
    }

    /// The source for a client at `client`; an IPv4 client on a dual-stack listener (`::ffff:a.b.c.d`)
    /// is an IPv4 source. Nil when `client` is not an IP address.
    public init?(client: SocketAddress?) {
        guard let text = client?.ipAddress, var address = IPAddress(text) else { return nil }
        if address.family == .v6, address.bytes.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
            let v4 = IPAddress(bytes: address.bytes.suffix(4))
        {
            address = v4
        }
        self.init(address: address)
    }

    /// Applies the socket options to the new socket `fd` and binds it to the source address; returns
    /// 0, or the errno of the call that failed.
    public func prepare(socket fd: CInt) -> CInt {
        var one: CInt = 1
        var mark = CInt(Self.outboundMark)
        let size = socklen_t(MemoryLayout<CInt>.size)
        let transparent =
            family == .v4
            ? setsockopt(fd, CInt(IPPROTO_IP), CInt(IP_TRANSPARENT), &one, size)
            : setsockopt(fd, CInt(IPPROTO_IPV6), CInt(IPV6_TRANSPARENT), &one, size)
        guard transparent == 0, setsockopt(fd, CInt(IPPROTO_IP), CInt(IP_BIND_ADDRESS_NO_PORT), &one, size) == 0,
            setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, size) == 0,
            bindAddress.withSockAddr({ bind(fd, $0, socklen_t($1)) }) == 0
        else { return errno }
        return 0
    }

    /// Applies the socket options to `bootstrap` and binds it to the client's address.
    public func configure(_ bootstrap: ClientBootstrap) -> ClientBootstrap {
        let transparent =
            family == .v4
            ? ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: CInt(IP_TRANSPARENT)))
            : ChannelOptions.Types.SocketOption(level: .ipv6, name: .init(rawValue: CInt(IPV6_TRANSPARENT)))
        return bootstrap
            .channelOption(transparent, value: 1)
            .channelOption(ChannelOptions.Types.SocketOption(level: .ip, name: .init(rawValue: CInt(IP_BIND_ADDRESS_NO_PORT))), value: 1)
            .channelOption(ChannelOptions.Types.SocketOption(level: .socket, name: .init(rawValue: CInt(SO_MARK))), value: Self.outboundMark)
            .bind(to: bindAddress)
    }
}
