#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// This process's connected TCP sockets by their two ends, read from `/proc/self/fd`: how a
/// channel's descriptor is found when the connection is handed to another process (NIO does not
/// expose it).
struct OpenSocketDescriptors {
    /// `ip:port` of the local and of the remote end.
    struct Ends: Hashable {
        var local: String
        var remote: String
    }

    private(set) var byEnds: [Ends: CInt] = [:]

    /// Scans every descriptor of this process once.
    static func scan() -> OpenSocketDescriptors {
        var result = OpenSocketDescriptors()
        guard let directory = opendir("/proc/self/fd") else { return result }
        defer { closedir(directory) }
        var numbers: [CInt] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let number = CInt(name) { numbers.append(number) }
        }
        for number in numbers {
            if let ends = ends(of: number) { result.byEnds[ends] = number }
        }
        return result
    }

    /// The ends of a connected socket `descriptor`, nil for anything else.
    static func ends(of descriptor: CInt) -> Ends? {
        guard let local = address(of: descriptor, peer: false), let remote = address(of: descriptor, peer: true) else { return nil }
        return Ends(local: local, remote: remote)
    }

    /// The ends of a channel as this type writes them.
    static func ends(of channel: Channel) -> Ends? {
        guard let local = channel.localAddress, let remote = channel.remoteAddress,
            let localIP = local.ipAddress, let remoteIP = remote.ipAddress, let localPort = local.port, let remotePort = remote.port
        else { return nil }
        return Ends(local: "\(localIP)|\(localPort)", remote: "\(remoteIP)|\(remotePort)")
    }

    private static func address(of descriptor: CInt, peer: Bool) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let status = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                peer ? getpeername(descriptor, $0, &length) : getsockname(descriptor, $0, &length)
            }
        }
        guard status == 0 else { return nil }
        switch CInt(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var bytes = address.pointee.sin_addr
                    return text(family: AF_INET, &bytes).map { "\($0)|\(UInt16(bigEndian: address.pointee.sin_port))" }
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var bytes = address.pointee.sin6_addr
                    return text(family: AF_INET6, &bytes).map { "\($0)|\(UInt16(bigEndian: address.pointee.sin6_port))" }
                }
            }
        default:
            return nil
        }
    }

    private static func text<T>(family: CInt, _ address: inout T) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
