import NIOCore
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// A socket address as the kernel takes it (`sockaddr_in` or `sockaddr_in6` in a `sockaddr_storage`),
/// made once from an endpoint, for the relay's `bind` and `connect`.
struct RawSocketAddress: Sendable {
    private(set) var storage = sockaddr_storage()
    let length: socklen_t
    let family: CInt

    /// `address`:`port`.
    init(_ address: IPAddress, port: Int) {
        switch address.family {
        case .v4:
            var raw = sockaddr_in()
            raw.sin_family = sa_family_t(AF_INET)
            raw.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
            withUnsafeMutableBytes(of: &raw.sin_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: raw, as: sockaddr_in.self) }
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            family = AF_INET
        case .v6:
            var raw = sockaddr_in6()
            raw.sin6_family = sa_family_t(AF_INET6)
            raw.sin6_port = UInt16(truncatingIfNeeded: port).bigEndian
            withUnsafeMutableBytes(of: &raw.sin6_addr) { $0.copyBytes(from: address.bytes) }
            withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: raw, as: sockaddr_in6.self) }
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            family = AF_INET6
        }
    }

    /// The endpoint's address.
    init(_ endpoint: SocketEndpoint) {
        self.init(endpoint.address, port: Int(endpoint.port))
    }

    /// Calls `body` with the address as a `sockaddr` pointer and its length.
    func withSockAddr<Result>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> Result) -> Result {
        withUnsafeBytes(of: storage) { body($0.baseAddress!.assumingMemoryBound(to: sockaddr.self), length) }
    }

    /// Which end of a connected socket ``end(of:_:)`` reads.
    enum End { case local, peer }

    /// The address of the `end` of socket `fd` (getsockname, getpeername); nil when the call fails.
    static func end(of fd: CInt, _ end: End) -> sockaddr_storage? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                end == .local ? getsockname(fd, $0, &length) : getpeername(fd, $0, &length)
            }
        }
        return status == 0 ? storage : nil
    }

    /// The NIO socket address of a `sockaddr_storage` filled by the kernel (accept, getsockname); nil
    /// for a family other than IPv4 and IPv6.
    static func socketAddress(of storage: sockaddr_storage) -> SocketAddress? {
        var storage = storage
        switch CInt(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { SocketAddress($0.load(as: sockaddr_in.self), host: "") }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { SocketAddress($0.load(as: sockaddr_in6.self), host: "") }
        default:
            return nil
        }
    }

    /// The IP address of a `sockaddr_storage` filled by the kernel; nil for other families.
    static func ipAddress(of storage: sockaddr_storage) -> IPAddress? {
        var storage = storage
        switch CInt(storage.ss_family) {
        case AF_INET:
            return withUnsafeBytes(of: &storage) { raw in
                withUnsafeBytes(of: raw.load(as: sockaddr_in.self).sin_addr) { IPAddress(bytes: $0) }
            }
        case AF_INET6:
            return withUnsafeBytes(of: &storage) { raw in
                withUnsafeBytes(of: raw.load(as: sockaddr_in6.self).sin6_addr) { IPAddress(bytes: $0) }
            }
        default:
            return nil
        }
    }
}
