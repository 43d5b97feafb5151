import NIOCore
import NIOPosix
import VipdConfig

#if canImport(Glibc)
import Glibc
#endif

/// The client's address as the source of a transparent pool's server connection: the socket is
/// made transparent (`IP_TRANSPARENT`, `IPV6_TRANSPARENT`), bound to the client's address (the port
/// is chosen at connect, `IP_BIND_ADDRESS_NO_PORT`), and marked so that the kernel tags its connection
/// for the replies' way back (see VipdTransparent's `TransparentMarks.outbound`).
struct TransparentSource {
    /// `TransparentMarks.outbound`, set with `SO_MARK`.
    static let outboundMark = 0x0080_0000

    /// Where the socket binds: the client's address, any port.
    let bindAddress: SocketAddress
    /// The client's address family: the server is reached at its node's address of this family.
    let family: IPAddress.Family

    /// The source for a client at `client`; an IPv4 client on a dual-stack listener (`::ffff:a.b.c.d`)
    /// is an IPv4 source. Nil when `client` is not an IP address.
    init?(client: SocketAddress?) {
        guard let text = client?.ipAddress, var address = IPAddress(text) else { return nil }
        if address.family == .v6, address.bytes.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff],
            let v4 = IPAddress(bytes: address.bytes.suffix(4))
        {
            address = v4
        }
        guard let bindAddress = try? SocketAddress(ipAddress: address.text, port: 0) else { return nil }
        self.bindAddress = bindAddress
        self.family = address.family
    }

    /// Applies the socket options to `bootstrap` and binds it to the client's address.
    func configure(_ bootstrap: ClientBootstrap) -> ClientBootstrap {
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
