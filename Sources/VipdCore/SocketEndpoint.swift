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
