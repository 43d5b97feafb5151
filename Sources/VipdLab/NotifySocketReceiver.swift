import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The receiving end of `$NOTIFY_SOCKET` as systemd binds it: an AF_UNIX datagram socket at a
/// path, read one datagram at a time with a timeout (tests of the systemd integration).
public final class NotifySocketReceiver {
    /// Where the socket is bound (the value for `$NOTIFY_SOCKET`).
    public let path: String
    private let descriptor: Int32

    /// Binds a datagram socket at `path` (which must not exist; at most 107 bytes).
    public init(path: String) throws {
        self.path = path
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        precondition(bytes.count < MemoryLayout.size(ofValue: address.sun_path), "socket path too long: \(path)")
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let error = errno
            close(descriptor)
            throw POSIXError(.init(rawValue: error) ?? .EIO)
        }
    }

    /// The next datagram as text, or nil when none arrives within `timeout`.
    public func receive(timeout: Duration) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout / .milliseconds(1))
        guard poll(&poller, 1, milliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer.prefix(count), as: UTF8.self)
    }

    /// The next datagram other than `WATCHDOG=1` within `timeout`, or nil.
    public func receiveIgnoringPings(timeout: Duration) -> String? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard let datagram = receive(timeout: deadline - ContinuousClock.now) else { return nil }
            if datagram != "WATCHDOG=1" { return datagram }
        }
        return nil
    }

    deinit {
        close(descriptor)
        unlink(path)
    }
}
