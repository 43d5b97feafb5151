#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A numeric IPv4 or IPv6 address, validated with `inet_pton`.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable { case v4, v6 }

    /// The address as written by `inet_ntop` (canonical form).
    public let text: String
    public let family: Family

    /// Parses a numeric address; nil when `text` is not an IPv4 or IPv6 literal (no DNS names).
    public init?(_ text: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
            inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count))
            self.text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            self.family = .v4
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count))
            self.text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            self.family = .v6
        } else {
            return nil
        }
    }

    /// True for 0.0.0.0 and ::.
    public var isWildcard: Bool { text == "0.0.0.0" || text == "::" }

    public var description: String { text }
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
