import VipdCore

/// One condition of a firewall rule, in the terms an incoming VRRP advert can be judged by.
/// Conditions the analyzer cannot judge are kept as `unknown` with the text they came from.
public indirect enum PacketCondition: Sendable, Equatable {
    /// The packet is IPv4 or IPv6 (`ip …` matches, `meta nfproto`, iptables vs ip6tables).
    case family(IPAddress.Family)
    /// The IP protocol / IPv6 next header is one of these numbers; -1 stands for a named
    /// protocol other than VRRP (names come from `/etc/protocols`, where VRRP is `vrrp`).
    case protocolNumber(Set<Int>)
    /// The source address lies in one of these ranges.
    case source([AddressRange])
    /// The destination address lies in one of these ranges.
    case destination([AddressRange])
    /// The input interface matches one of these names; a trailing `*` matches any suffix.
    case inputInterface([String])
    /// The conntrack state is one of these (`new`, `established`, `related`, `invalid`, `untracked`).
    case connectionState(Set<String>)
    /// The link-layer packet type is one of these (`host`, `multicast`, `broadcast`, `other`).
    case packetType(Set<String>)
    /// The opposite of the condition.
    case not(PacketCondition)
    /// A condition the analyzer does not model, with its text (e.g. `fib daddr type local`).
    case unknown(String)

    /// The IP protocol number of VRRP.
    public static let vrrpProtocol = 112

    /// A protocol given as a number, a number in text, or a name: VRRP's name `vrrp` is 112,
    /// any other name is some other protocol (-1).
    public static func protocolNumber(named text: String) -> Int {
        if let number = Int(text) { return number }
        return text.lowercased() == "vrrp" ? vrrpProtocol : -1
    }
}

/// An inclusive range of addresses of one family; a prefix is the range it covers.
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    public let low: IPAddress
    public let high: IPAddress

    /// nil when the ends are of different families.
    public init?(low: IPAddress, high: IPAddress) {
        guard low.family == high.family else { return nil }
        self.low = min(low, high)
        self.high = max(low, high)
    }

    /// The addresses of `prefix`.
    public init(_ prefix: IPPrefix) {
        var low = prefix.address.bytes
        var high = low
        for bit in prefix.length..<(low.count * 8) {
            let mask = UInt8(0x80) >> UInt8(bit % 8)
            low[bit / 8] &= ~mask
            high[bit / 8] |= mask
        }
        self.low = IPAddress(bytes: low)!
        self.high = IPAddress(bytes: high)!
    }

    /// One address.
    public init(_ address: IPAddress) { self.init(IPPrefix.host(address)) }

    /// Parses `ADDRESS`, `ADDRESS/LENGTH` or `LOW-HIGH`.
    public init?(parsing text: String) {
        if let dash = text.firstIndex(of: "-"), let low = IPAddress(String(text[..<dash])),
            let high = IPAddress(String(text[text.index(after: dash)...]))
        {
            self.init(low: low, high: high)
        } else if let prefix = IPPrefix(parsing: text) {
            self.init(prefix)
        } else {
            return nil
        }
    }

    /// Whether every address of `other` is in this range.
    public func contains(_ other: AddressRange) -> Bool {
        other.low.family == low.family && low <= other.low && other.high <= high
    }

    /// Whether no address of `other` is in this range.
    public func isDisjoint(with other: AddressRange) -> Bool {
        other.low.family != low.family || other.high < low || high < other.low
    }

    public var description: String { low == high ? low.text : "\(low.text)-\(high.text)" }
}
