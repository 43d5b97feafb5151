import CVipdSys
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// One policy-routing rule as the kernel lists it (`ip rule`): what vipd reads to find its own rules,
/// by the protocol it tags them with.
public struct RoutingRule: Sendable, Equatable {
    public var family: IPAddress.Family
    /// `FRA_PRIORITY`; 0 when the kernel sent none (the rule at priority 0).
    public var priority: UInt32
    /// `FRA_TABLE`, else the header's 8-bit table.
    public var table: UInt32
    /// `FRA_PROTOCOL`: who added the rule (`ip rule ... protocol 239`); 0 when unset.
    public var routeProtocol: UInt8

    public init(family: IPAddress.Family, priority: UInt32, table: UInt32, routeProtocol: UInt8) {
        self.family = family
        self.priority = priority
        self.table = table
        self.routeProtocol = routeProtocol
    }

    /// `sizeof(struct fib_rule_hdr)`: family, dst_len, src_len, tos, table, two reserved bytes,
    /// action, flags.
    static let headerLength = 12
    /// `FRA_PRIORITY`, `FRA_TABLE`, `FRA_PROTOCOL` (linux/fib_rules.h).
    static let priorityAttribute: UInt16 = 6
    static let tableAttribute: UInt16 = 15
    static let protocolAttribute: UInt16 = 21

    /// The rule in one `RTM_NEWRULE` message's payload; nil for a family other than IPv4 and IPv6.
    /// Throws on bytes that are not a well-formed rule.
    public init?(payload: [UInt8]) throws(NetworkError) {
        guard payload.count >= Self.headerLength else {
            throw .malformedNetlinkMessage("rule message of \(payload.count) bytes, shorter than fib_rule_hdr")
        }
        switch Int32(payload[0]) {
        case AF_INET: family = .v4
        case AF_INET6: family = .v6
        default: return nil
        }
        let attributes = try NetlinkAttribute.parseAll(payload, from: Self.headerLength)
        func number(_ type: UInt16) throws(NetworkError) -> UInt32? {
            guard let attribute = attributes.first(ofType: type) else { return nil }
            guard let value = attribute.uint32Value else {
                throw .malformedNetlinkMessage("a \(attribute.value.count)-byte rule attribute \(type), not 4")
            }
            return value
        }
        priority = try number(Self.priorityAttribute) ?? 0
        table = try number(Self.tableAttribute) ?? UInt32(payload[4])
        if let tagged = attributes.first(ofType: Self.protocolAttribute) {
            guard tagged.value.count == 1 else { throw .malformedNetlinkMessage("a \(tagged.value.count)-byte FRA_PROTOCOL, not 1") }
            routeProtocol = tagged.value[0]
        } else {
            routeProtocol = 0
        }
    }
}

extension NetlinkMessage {
    /// `RTM_GETRULE` dump of one family's rules.
    static func ruleDump(family: UInt8) -> NetlinkMessage {
        NetlinkMessage(
            type: UInt16(RTM_GETRULE), flags: Netlink.request | Netlink.dump,
            payload: [family] + [UInt8](repeating: 0, count: RoutingRule.headerLength - 1))
    }
}

extension RouteNetlink {
    /// The policy-routing rules of `family` (`RTM_GETRULE` dump), as `ip rule show` lists them.
    public func rules(family: IPAddress.Family) throws(NetworkError) -> [RoutingRule] {
        let requested = UInt8(family == .v4 ? AF_INET : AF_INET6)
        var rules = [RoutingRule]()
        for message in try connection.perform(.ruleDump(family: requested), name: "RTM_GETRULE dump", interface: nil)
        where message.type == UInt16(RTM_NEWRULE) {
            if let rule = try RoutingRule(payload: message.payload) { rules.append(rule) }
        }
        return rules
    }
}
