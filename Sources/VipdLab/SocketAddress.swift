import FoundationEssentials
import VipdCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A numeric IPv4 or IPv6 address and port as a C `sockaddr`, plus the socket calls the lab
/// needs on it (FreePort binds one, the banner probe connects to one).
struct SocketAddress {
    private var storage = sockaddr_storage()
    private let length: socklen_t
    /// `AF_INET` or `AF_INET6`.
    let family: Int32

    /// Parses `address` (e.g. `127.0.0.1`, `::1`); IPv6 may be written in brackets.
    init(address: String, port: Int) throws {
        let bare = address.hasPrefix("[") && address.hasSuffix("]") ? String(address.dropFirst().dropLast()) : address
        var v4 = sockaddr_in()
        var v6 = sockaddr_in6()
        if inet_pton(AF_INET, bare, &v4.sin_addr) == 1 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            family = AF_INET
            length = socklen_t(MemoryLayout<sockaddr_in>.size)
            withUnsafeBytes(of: &v4) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        } else if inet_pton(AF_INET6, bare, &v6.sin6_addr) == 1 {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(truncatingIfNeeded: port).bigEndian)
            family = AF_INET6
            length = socklen_t(MemoryLayout<sockaddr_in6>.size)
            withUnsafeBytes(of: &v6) { source in withUnsafeMutableBytes(of: &storage) { $0.copyMemory(from: source) } }
        } else {
            throw LabError.invalidAddress(address)
        }
    }

    /// A new blocking TCP socket of this address's family with send/receive timeouts set.
    func makeStreamSocket(timeout: Duration) throws -> Int32 {
        #if canImport(Glibc)
        let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let descriptor = socket(family, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw LabError.systemCall(name: "socket", errno: errno) }
        let seconds = timeout.timeInterval
        var limit = timeval(tv_sec: Int(seconds), tv_usec: .init((seconds - seconds.rounded(.down)) * 1_000_000))
        for option in [SO_RCVTIMEO, SO_SNDTIMEO] {
            setsockopt(descriptor, SOL_SOCKET, option, &limit, socklen_t(MemoryLayout<timeval>.size))
        }
        return descriptor
    }

    /// `bind(2)` to this address.
    func bind(_ descriptor: Int32) throws {
        let result = withSockaddr { sockaddr, length in
            #if canImport(Glibc)
            Glibc.bind(descriptor, sockaddr, length)
            #else
            Darwin.bind(descriptor, sockaddr, length)
            #endif
        }
        guard result == 0 else { throw LabError.systemCall(name: "bind", errno: errno) }
    }

    /// `connect(2)` to this address; bounded by the socket's send timeout.
    func connect(_ descriptor: Int32) throws {
        let result = withSockaddr { sockaddr, length in
            #if canImport(Glibc)
            Glibc.connect(descriptor, sockaddr, length)
            #else
            Darwin.connect(descriptor, sockaddr, length)
            #endif
        }
        guard result == 0 else { throw LabError.systemCall(name: "connect", errno: errno) }
    }

    /// The local port a socket is bound to (`getsockname(2)`).
    static func boundPort(of descriptor: Int32) throws -> Int {
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &bound) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { throw LabError.systemCall(name: "getsockname", errno: errno) }
        return withUnsafeBytes(of: &bound) { bytes in
            // sin_port and sin6_port share the same offset (2) in both structures.
            Int(UInt16(bigEndian: bytes.load(fromByteOffset: 2, as: UInt16.self)))
        }
    }

    private func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
        var copy = storage
        return withUnsafePointer(to: &copy) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
        }
    }
}
