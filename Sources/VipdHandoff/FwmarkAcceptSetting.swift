import FoundationEssentials
import VipdCore

/// `net.ipv4.tcp_fwmark_accept` of this network namespace: when 1, a socket accepted from a
/// listener without a mark takes the mark of the SYN that opened it (IPv4 and IPv6). The hand-off
/// needs it to tell the sockets of established flows (marked) from the listener (unmarked) in one
/// nftables socket lookup, with no race between accept and marking. It changes nothing else.
public enum FwmarkAcceptSetting {
    /// The sysctl's file.
    public static let path = "/proc/sys/net/ipv4/tcp_fwmark_accept"

    /// The value now, nil when it cannot be read.
    public static func read() -> Int? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return Int(text.trimmingWhitespace())
    }

    /// Writes `value`; throws with the reason (e.g. a read-only /proc/sys).
    public static func write(_ value: Int) throws {
        try "\(value)\n".write(toFile: path, atomically: false, encoding: .utf8)
    }
}
