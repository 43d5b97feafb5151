import VipdCore

/// A policy-routing rule or a route as iproute2 prints it (`ip rule show`, `ip route show table N`),
/// with what the doctor judges it by: its table, its protocol and a rule's priority.
public struct PolicyRoutingEntry: Sendable, Equatable, CustomStringConvertible {
    public var family: IPAddress.Family
    /// The line as printed, without a rule's `PRIORITY:`, e.g. `default via 10.0.0.1 dev eth0 proto static`.
    public var text: String
    /// The table a rule looks up (nil for one without, such as `blackhole`) or a route is in, as
    /// printed: a number, or a name such as `main`.
    public var table: String?
    /// `proto`: nil when iproute2 prints none (a route's `boot`, a rule's unspecified protocol).
    public var routeProtocol: String?
    /// A rule's priority; nil for a route.
    public var priority: UInt32?

    public init(family: IPAddress.Family, text: String, table: String?, routeProtocol: String?, priority: UInt32?) {
        self.family = family
        self.text = text
        self.table = table
        self.routeProtocol = routeProtocol
        self.priority = priority
    }

    /// The rules in the output of `ip -4 rule show` (or `-6`): lines `PRIORITY:<tab>SELECTOR lookup TABLE ...`.
    public static func rules(inListing listing: String, family: IPAddress.Family) -> [PolicyRoutingEntry] {
        listing.split(separator: "\n").compactMap { line in
            guard let colon = line.firstIndex(of: ":"), let priority = UInt32(line[..<colon]) else { return nil }
            let text = line[line.index(after: colon)...].trimmingWhitespace()
            let words = text.split(separator: " ").map(String.init)
            return PolicyRoutingEntry(
                family: family, text: text, table: value(after: "lookup", in: words), routeProtocol: value(after: "proto", in: words),
                priority: priority)
        }
    }

    /// The routes in the output of `ip -4 route show table TABLE` (or `-6`).
    public static func routes(inListing listing: String, family: IPAddress.Family, table: UInt32) -> [PolicyRoutingEntry] {
        listing.split(separator: "\n").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }.map { text in
            let words = text.split(separator: " ").map(String.init)
            return PolicyRoutingEntry(family: family, text: text, table: "\(table)", routeProtocol: value(after: "proto", in: words), priority: nil)
        }
    }

    /// The table as a number, when it is printed as one.
    public var tableNumber: UInt32? { table.flatMap { UInt32($0) } }

    /// `9250: from all lookup 9251` for a rule, `table 9251: default via 10.0.0.1 dev eth0` for a route.
    public var description: String {
        if let priority { return "\(priority): \(text)" }
        return "table \(table ?? ""): \(text)"
    }

    /// The `ip` command that deletes it: a rule by its priority and selector, a route by its
    /// destination (and type) in its table.
    public var removal: String {
        let flag = family == .v4 ? "-4" : "-6"
        // A rule's `[detached]` marks an interface that is gone; it is not part of the selector.
        let words = text.split(separator: " ").filter { !$0.hasPrefix("[") }
        if let priority { return "ip \(flag) rule del priority \(priority) \(words.joined(separator: " "))" }
        let destination = Self.routeTypes.contains(String(words.first ?? "")) ? words.prefix(2) : words.prefix(1)
        return "ip \(flag) route del \(destination.joined(separator: " ")) table \(table ?? "")"
    }

    /// The route types iproute2 prints before a destination (`unicast` is not printed).
    private static let routeTypes: Set<String> = [
        "local", "broadcast", "anycast", "multicast", "blackhole", "unreachable", "prohibit", "throw", "nat",
    ]

    private static func value(after keyword: String, in words: [String]) -> String? {
        guard let index = words.firstIndex(of: keyword), index + 1 < words.count else { return nil }
        return words[index + 1]
    }
}
