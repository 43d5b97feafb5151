import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A free TCP port on a loopback address (bind port 0, read it, close).
///
/// The port is free when returned, not reserved: another process may take it before the
/// caller binds it. The kernel hands out ephemeral ports in a rotating order, so an
/// immediate reuse by someone else is unlikely.
public enum FreePort {
    /// Asks the kernel for an unused TCP port on `address` (IPv4 or IPv6, numeric).
    /// - Throws: `LabError` when the address is invalid or the socket calls fail.
    public static func allocate(on address: String = "127.0.0.1") throws -> Int {
        let socketAddress = try SocketAddress(address: address, port: 0)
        let descriptor = try socketAddress.makeStreamSocket(timeout: .seconds(1))
        defer { close(descriptor) }
        try socketAddress.bind(descriptor)
        return try SocketAddress.boundPort(of: descriptor)
    }
}
