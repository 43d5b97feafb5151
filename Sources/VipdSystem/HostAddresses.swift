#if canImport(Glibc)
import Glibc
#endif
import VipdCore

/// The IP addresses configured on this host's interfaces (in the calling thread's network namespace).
public enum HostAddresses {
    /// Every IPv4 and IPv6 address from getifaddrs(3), loopback included.
    public static func current() throws(SystemCallError) -> [IPAddress] {
        var list: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&list) == 0 else { throw SystemCallError("list the addresses of", path: "this host", errno: errno) }
        defer { freeifaddrs(list) }
        var addresses: [IPAddress] = []
        var cursor = list
        while let entry = cursor {
            defer { cursor = entry.pointee.ifa_next }
            guard let socketAddress = entry.pointee.ifa_addr else { continue }
            switch Int32(socketAddress.pointee.sa_family) {
            case AF_INET:
                socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { v4 in
                    var address = v4.pointee.sin_addr
                    addresses.append(withUnsafeBytes(of: &address) { IPAddress(bytes: $0)! })
                }
            case AF_INET6:
                socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { v6 in
                    var address = v6.pointee.sin6_addr
                    addresses.append(withUnsafeBytes(of: &address) { IPAddress(bytes: $0)! })
                }
            default: continue
            }
        }
        return addresses
    }
}
