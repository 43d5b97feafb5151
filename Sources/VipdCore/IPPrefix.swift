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
