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

/// An address with a prefix length, as configured on an interface: `192.168.2.232/24`, `2001:db8::10/64`.
public struct IPPrefix: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    /// 0...32 for IPv4, 0...128 for IPv6.
    public let length: Int

    /// nil when `length` does not fit the family.
    public init?(address: IPAddress, length: Int) {
        guard length >= 0, length <= address.bytes.count * 8 else { return nil }
        self.address = address
        self.length = length
    }

    /// Parses `ADDRESS/LENGTH`, or a bare address as a host prefix (/32 or /128).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        if parts.count == 1 {
            self.init(address: address, length: address.bytes.count * 8)
        } else {
            guard let length = Int(parts[1]), parts[1].allSatisfy(\.isASCII) else { return nil }
            self.init(address: address, length: length)
        }
    }

    /// `address` alone: /32 for IPv4, /128 for IPv6.
    public static func host(_ address: IPAddress) -> IPPrefix {
        IPPrefix(address: address, length: address.bytes.count * 8)!
    }

    /// Whether `other` lies inside this prefix's network.
    public func contains(_ other: IPAddress) -> Bool {
        guard other.family == address.family else { return false }
        for bit in 0..<length {
            let mask = UInt8(0x80) >> UInt8(bit % 8)
            if address.bytes[bit / 8] & mask != other.bytes[bit / 8] & mask { return false }
        }
        return true
    }

    public var description: String { "\(address)/\(length)" }
}

/// An address and a port: `192.168.2.232:22`, `[2001:db8::1]:22`.
public struct SocketEndpoint: Sendable, Hashable, CustomStringConvertible {
    public let address: IPAddress
    public let port: Int

    public init(address: IPAddress, port: Int) {
        self.address = address
        self.port = port
    }

    /// Parses `IPv4:PORT` or `[IPv6]:PORT`; nil when malformed or the port is outside 1...65535.
    public init?(parsing text: String) {
        let hostPart: Substring
        let portPart: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return nil }
            hostPart = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else { return nil }
            portPart = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else { return nil }
            hostPart = text[..<colon]
            portPart = text[text.index(after: colon)...]
            if hostPart.contains(":") { return nil }  // bare IPv6 needs brackets
        }
        guard let address = IPAddress(String(hostPart)), let port = Int(portPart), (1...65535).contains(port) else {
            return nil
        }
        if text.hasPrefix("[") != (address.family == .v6) { return nil }
        self.init(address: address, port: port)
    }

    /// `a.b.c.d:port` or `[v6]:port`.
    public var description: String {
        address.family == .v6 ? "[\(address.text)]:\(port)" : "\(address.text):\(port)"
    }
}
