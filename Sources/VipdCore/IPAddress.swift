#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A numeric IPv4 or IPv6 address, validated with `inet_pton`.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case v4, v6 }

    public let family: Family
    /// The address in network byte order: 4 bytes for IPv4, 16 for IPv6.
    public let bytes: [UInt8]

    /// Parses a numeric address; nil when `text` is not an IPv4 or IPv6 literal (no DNS names).
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    /// The address whose network-order bytes are `bytes`; nil unless there are 4 or 16 of them.
    /// Cheap (the monitor makes several per packet): the text form is made only when asked for.
    @inlinable
    public init?<Bytes: Collection<UInt8>>(bytes: Bytes) {
        switch bytes.count {
        case 4: family = .v4
        case 16: family = .v6
        default: return nil
        }
        self.bytes = Array(bytes)
    }

    /// The address as written by `inet_ntop` (canonical form).
    public var text: String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        bytes.withUnsafeBytes { raw in
            _ = inet_ntop(family == .v4 ? AF_INET : AF_INET6, raw.baseAddress, &buffer, socklen_t(buffer.count))
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// True for 0.0.0.0 and ::.
    public var isWildcard: Bool { bytes.allSatisfy { $0 == 0 } }

    /// True for fe80::/10.
    public var isIPv6LinkLocal: Bool { family == .v6 && bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80 }

    public var description: String { text }
}

extension IPAddress: Comparable {
    /// Numeric order within a family (IPv4 before IPv6), as VRRP compares primary addresses.
    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        if lhs.bytes.count != rhs.bytes.count { return lhs.bytes.count < rhs.bytes.count }
        return lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
