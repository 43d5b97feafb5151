import FoundationEssentials
import VipdCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Connects to a TCP port and reads the first line the server sends, as an SSH client
/// does before anything else (`SSH-2.0-OpenSSH_9.2p1 …`).
public enum BannerProbe {
    /// The first line (without CR LF) sent by `address:port`, or `nil` when nothing could
    /// be read: connection refused, or no line within `timeout`.
    public static func firstLine(address: String, port: Int, timeout: Duration) -> String? {
        guard let socketAddress = try? SocketAddress(address: address, port: port),
              let descriptor = try? socketAddress.makeStreamSocket(timeout: timeout) else { return nil }
        defer { close(descriptor) }
        guard (try? socketAddress.connect(descriptor)) != nil else { return nil }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        let deadline = ContinuousClock.now + timeout
        while received.count < 256, !received.contains(UInt8(ascii: "\n")), ContinuousClock.now < deadline {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        guard let end = received.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        leavePolitely(descriptor, deadline: deadline)
        return String(decoding: received[..<end], as: UTF8.self)
            .trimmingWhitespace()
    }

    /// Sends an identification string, stops writing and reads until sshd closes, so that sshd
    /// logs one `[preauth]` line instead of a `kex_exchange_identification` error (the same
    /// farewell as vipd's ssh-banner check; see docs/health-check-noise.md).
    private static func leavePolitely(_ descriptor: Int32, deadline: ContinuousClock.Instant) {
        let identification = Array("SSH-2.0-vipd-lab-probe\r\n".utf8)
        _ = identification.withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(descriptor, Int32(SHUT_WR))
        var sink = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now < deadline {
            let count = sink.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
        }
    }
}
