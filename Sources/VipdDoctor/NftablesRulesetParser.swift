import Foundation
import VipdCore

/// Reads the nftables ruleset from `nft -j -a list ruleset` (the JSON schema of nftables 0.9–1.x)
/// into a `FirewallRuleset`, with each rule's text taken from `nft -a list ruleset`.
///
/// Understood: `match` on `meta l4proto|nfproto|protocol|iifname|iif|pkttype`, `ip protocol|saddr|daddr`,
/// `ip6 nexthdr|saddr|daddr`, transport headers (never VRRP), `ct state`, with `==`, `!=` and `in`
/// against values, anonymous and named sets, prefixes and ranges; verdicts accept, drop, reject,
/// jump, goto, return, continue and verdict maps; counter, log and other side effects. Anything
/// else becomes `PacketCondition.unknown` or `FirewallAction.unknown`. Pure.
public enum NftablesRulesetParser {
    /// The JSON is not an nftables ruleset.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Parses `json` (and `listing`, the text form with handles, for rule texts; empty is allowed).
    public static func parse(json: String, listing: String = "") throws(Failure) -> FirewallRuleset {
        guard let data = json.data(using: .utf8),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let items = root["nftables"] as? [[String: Any]]
        else { throw Failure(description: "not the output of nft -j list ruleset (no \"nftables\" array)") }
        let texts = NftablesListing.ruleTexts(listing)
        var sets: [SetKey: [Any]] = [:]
        for case let set? in items.map({ $0["set"] ?? $0["map"] }) {
            guard let set = set as? [String: Any], let key = SetKey(set) else { continue }
            sets[key] = set["elem"] as? [Any] ?? []
        }
        var chains: [FirewallChain.Key: FirewallChain] = [:]
        var order: [FirewallChain.Key] = []
        for case let chain as [String: Any] in items.compactMap({ $0["chain"] }) {
            guard let family = chain["family"] as? String, let table = chain["table"] as? String,
                let name = chain["name"] as? String
            else { continue }
            let tableName = FirewallTableName(tool: .nftables, family: family, name: table)
            let parsed = FirewallChain(table: tableName, name: name, hook: hook(chain, family: family))
            chains[parsed.key] = parsed
            order.append(parsed.key)
        }
        for case let rule as [String: Any] in items.compactMap({ $0["rule"] }) {
            guard let family = rule["family"] as? String, let table = rule["table"] as? String,
                let chain = rule["chain"] as? String, let expressions = rule["expr"] as? [Any]
            else { continue }
            let key = FirewallChain.Key(table: FirewallTableName(tool: .nftables, family: family, name: table), chain: chain)
            guard chains[key] != nil else { continue }
            let handle = rule["handle"] as? Int
            let text = handle.flatMap { texts[NftablesListing.RuleKey(family: family, table: table, chain: chain, handle: $0)] }
            let position = chains[key]!.rules.count + 1
            let context = RuleContext(family: family, table: table, sets: sets)
            for (conditions, action) in context.rules(from: expressions) {
                chains[key]!.rules.append(
                    FirewallRule(
                        conditions: conditions, action: action, handle: handle, position: position,
                        text: text ?? ""))
            }
        }
        return FirewallRuleset(chains: order.compactMap { chains[$0] })
    }

    private static func hook(_ chain: [String: Any], family: String) -> FirewallChain.Hook? {
        guard let hook = chain["hook"] as? String else { return nil }
        let stage: FirewallStage
        switch (family, hook) {
        case ("netdev", "ingress"), ("inet", "ingress"): stage = .ingress
        case ("ip", "prerouting"), ("ip6", "prerouting"), ("inet", "prerouting"): stage = .prerouting
        case ("ip", "input"), ("ip6", "input"), ("inet", "input"): stage = .input
        default: return nil
        }
        let families: Set<IPAddress.Family> = family == "ip" ? [.v4] : family == "ip6" ? [.v6] : [.v4, .v6]
        var devices: [String] = []
        if let device = chain["dev"] as? String { devices = [device] }
        if let list = chain["dev"] as? [String] { devices = list }
        return FirewallChain.Hook(
            stage: stage, priority: priority(chain["prio"]), policyAccepts: (chain["policy"] as? String) != "drop",
            families: families, devices: devices)
    }

    /// A chain priority: a number, or a standard name (`filter` is 0, `raw` -300, ...).
    private static func priority(_ value: Any?) -> Int {
        if let number = value as? Int { return number }
        let names = ["raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100]
        return (value as? String).flatMap { names[$0] } ?? 0
    }

    /// A named set or map: family, table and name.
    struct SetKey: Hashable {
        var family: String
        var table: String
        var name: String

        init?(_ set: [String: Any]) {
            guard let family = set["family"] as? String, let table = set["table"] as? String,
                let name = set["name"] as? String
            else { return nil }
            self.init(family: family, table: table, name: name)
        }

        init(family: String, table: String, name: String) {
            self.family = family
            self.table = table
            self.name = name
        }
    }

    /// Turns one rule's expressions into conditions and a verdict.
    struct RuleContext {
        var family: String
        var table: String
        var sets: [SetKey: [Any]]

        /// One (conditions, action) per outcome: one for an ordinary rule, one per element of a
        /// verdict map (the key equal to the element, then its verdict).
        func rules(from expressions: [Any]) -> [([PacketCondition], FirewallAction)] {
            var conditions: [PacketCondition] = familyConditions()
            for case let expression as [String: Any] in expressions {
                guard let (kind, body) = expression.first else { continue }
                switch kind {
                case "match":
                    conditions += match(body as? [String: Any] ?? [:])
                case "accept": return [(conditions, .accept)]
                case "drop": return [(conditions, .drop)]
                case "reject": return [(conditions, .reject)]
                case "return": return [(conditions, .return)]
                case "continue": return [(conditions, .continue)]
                case "jump", "goto":
                    guard let target = (body as? [String: Any])?["target"] as? String else {
                        return [(conditions, .unknown(kind))]
                    }
                    return [(conditions, kind == "jump" ? .jump(target) : .goto(target))]
                case "vmap":
                    return verdictMap(body as? [String: Any] ?? [:], conditions: conditions)
                case "counter", "log", "mangle", "notrack", "comment", "set", "ct helper", "ct timeout", "ct expectation", "flow":
                    continue
                case "xt":
                    let name = (body as? [String: Any])?["name"] as? String ?? "?"
                    let type = (body as? [String: Any])?["type"] as? String ?? "match"
                    if type == "target" { return [(conditions, .unknown("iptables target \(name)"))] }
                    conditions.append(.unknown("iptables match \(name)"))
                case "queue", "dup", "fwd", "synproxy", "tproxy":
                    return [(conditions, .unknown(kind))]
                default:
                    conditions.append(.unknown(kind))
                }
            }
            return [(conditions, .continue)]
        }

        private func familyConditions() -> [PacketCondition] {
            switch family {
            case "ip": return [.family(.v4)]
            case "ip6": return [.family(.v6)]
            default: return []
            }
        }

        /// A `match`: the conditions the left side implies (its family or protocol) and the comparison.
        private func match(_ body: [String: Any]) -> [PacketCondition] {
            let op = body["op"] as? String ?? "=="
            guard let left = body["left"] as? [String: Any], let (kind, selector) = left.first else {
                return [.unknown("match")]
            }
            let right = body["right"] as Any
            let selectorFields = selector as? [String: Any] ?? [:]
            var implied: [PacketCondition] = []
            let value: PacketCondition
            switch kind {
            case "meta":
                switch selectorFields["key"] as? String {
                case "l4proto": value = .protocolNumber(Set(strings(right).map(PacketCondition.protocolNumber(named:))))
                case "nfproto", "protocol":
                    let names = Set(strings(right))
                    guard names.isSubset(of: ["ipv4", "ipv6", "ip", "ip6"]) else { return [.unknown("meta \(names.sorted())")] }
                    let v4 = !names.isDisjoint(with: ["ipv4", "ip"])
                    let v6 = !names.isDisjoint(with: ["ipv6", "ip6"])
                    // Both families: always true (false with !=); .protocolNumber([]) never holds.
                    if v4 == v6 { return op == "!=" || !v4 ? [.protocolNumber([])] : [] }
                    value = .family(v4 ? .v4 : .v6)
                case "iifname", "iif":
                    value = .inputInterface(strings(right).map { $0.replacingOccurrences(of: "\\*", with: "*") })
                case "pkttype": value = .packetType(Set(strings(right)))
                case let key: return [.unknown("meta \(key ?? "?")")]
                }
            case "payload":
                let proto = selectorFields["protocol"] as? String
                let field = selectorFields["field"] as? String
                switch (proto, field) {
                case ("ip", "protocol"?), ("ip6", "nexthdr"?):
                    implied = [.family(proto == "ip" ? .v4 : .v6)]
                    value = .protocolNumber(Set(strings(right).map(PacketCondition.protocolNumber(named:))))
                case ("ip", "saddr"?), ("ip", "daddr"?), ("ip6", "saddr"?), ("ip6", "daddr"?):
                    implied = [.family(proto == "ip" ? .v4 : .v6)]
                    guard let ranges = addresses(right) else { return implied + [.unknown("\(proto!) \(field!)")] }
                    value = field == "saddr" ? .source(ranges) : .destination(ranges)
                case ("ip", _), ("ip6", _):
                    return [.family(proto == "ip" ? .v4 : .v6), .unknown("\(proto!) \(field ?? "?")")]
                case (let transport?, _) where ["tcp", "udp", "udplite", "sctp", "dccp", "icmp", "icmpv6", "igmp", "esp", "ah", "comp"].contains(transport):
                    // The header only exists in packets of that protocol, never in a VRRP advert.
                    return [.protocolNumber([-1])]
                default:
                    return [.unknown("payload \(proto ?? "raw") \(field ?? "")")]
                }
            case "ct" where selectorFields["key"] as? String == "state":
                value = .connectionState(Set(strings(right)))
            default:
                return [.unknown(kind)]
            }
            return implied + [op == "!=" ? .not(value) : value]
        }

        /// The verdict map `key vmap { value : verdict, ... }` as one rule per element.
        private func verdictMap(_ body: [String: Any], conditions: [PacketCondition]) -> [([PacketCondition], FirewallAction)] {
            let data: [Any]
            if let named = body["data"] as? String, named.hasPrefix("@") {
                data = sets[SetKey(family: family, table: table, name: String(named.dropFirst()))] ?? []
            } else {
                data = ((body["data"] as? [String: Any])?["set"] as? [Any]) ?? []
            }
            var expanded: [([PacketCondition], FirewallAction)] = []
            for case let pair as [Any] in data where pair.count == 2 {
                let keyMatch = match(["op": "==", "left": body["key"] as Any, "right": pair[0]])
                let verdict = rules(from: [pair[1]]).first?.1 ?? .unknown("vmap")
                expanded.append((conditions + keyMatch, verdict))
            }
            return expanded.isEmpty ? [(conditions + [.unknown("vmap")], .continue)] : expanded
        }

        /// Right-hand values as strings (names, numbers, set and list elements).
        private func strings(_ right: Any) -> [String] {
            elements(right).compactMap { element in
                if let text = element as? String { return text }
                if let number = element as? Int { return String(number) }
                return nil
            }
        }

        /// Right-hand values as address ranges; nil when one of them is not an address.
        private func addresses(_ right: Any) -> [AddressRange]? {
            var ranges: [AddressRange] = []
            for element in elements(right) {
                if let text = element as? String, let range = AddressRange(parsing: text) {
                    ranges.append(range)
                } else if let prefix = (element as? [String: Any])?["prefix"] as? [String: Any],
                    let address = prefix["addr"] as? String, let length = prefix["len"] as? Int,
                    let parsed = IPAddress(address).flatMap({ IPPrefix(address: $0, length: length) })
                {
                    ranges.append(AddressRange(parsed))
                } else if let ends = (element as? [String: Any])?["range"] as? [String],
                    ends.count == 2, let low = IPAddress(ends[0]), let high = IPAddress(ends[1]),
                    let range = AddressRange(low: low, high: high)
                {
                    ranges.append(range)
                } else {
                    return nil
                }
            }
            return ranges
        }

        /// The elements a right-hand side stands for: a value, a list, an anonymous set, a named set (`@name`).
        private func elements(_ right: Any) -> [Any] {
            if let text = right as? String, text.hasPrefix("@") {
                return (sets[SetKey(family: family, table: table, name: String(text.dropFirst()))] ?? []).flatMap(elements)
            }
            if let list = right as? [Any] { return list.flatMap(elements) }
            if let object = right as? [String: Any] {
                if let set = object["set"] { return elements(set) }
                if let element = object["elem"] as? [String: Any], let value = element["val"] { return elements(value) }
            }
            return [right]
        }
    }
}
