import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The process at the other end of a unix socket, from `SO_PEERCRED` (Linux `struct ucred`).
struct PeerCredentials: Sendable {
    var pid: Int32
    var uid: UInt32
    var gid: UInt32

    /// Whether this peer may use the control socket: root, or the user vipd runs as.
    var isAllowed: Bool { uid == 0 || uid == geteuid() }

    /// Reads the peer of `channel` (a connected unix stream socket).
    static func of(_ channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ControlError("the control connection has no socket options"))
        }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
    }
}
