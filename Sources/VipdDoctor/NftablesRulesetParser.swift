import FoundationEssentials
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
        guard let root = try? JSONDecoder().decode(JSONValue.self, from: Data(json.utf8)),
            let items = root["nftables"]?.arrayValue
        else { throw Failure(description: "not the output of nft -j list ruleset (no \"nftables\" array)") }
        let texts = NftablesListing.ruleTexts(listing)
        var sets: [SetKey: [JSONValue]] = [:]
        for case let set? in items.map({ $0["set"] ?? $0["map"] }) {
            guard let key = SetKey(set) else { continue }
            sets[key] = set["elem"]?.arrayValue ?? []
        }
        var chains: [FirewallChain.Key: FirewallChain] = [:]
        var order: [FirewallChain.Key] = []
        for chain in items.compactMap({ $0["chain"] }) {
            guard let family = chain["family"]?.stringValue, let table = chain["table"]?.stringValue,
                let name = chain["name"]?.stringValue
            else { continue }
            let tableName = FirewallTableName(tool: .nftables, family: family, name: table)
            let parsed = FirewallChain(table: tableName, name: name, hook: hook(chain, family: family))
            chains[parsed.key] = parsed
            order.append(parsed.key)
        }
        for rule in items.compactMap({ $0["rule"] }) {
            guard let family = rule["family"]?.stringValue, let table = rule["table"]?.stringValue,
                let chain = rule["chain"]?.stringValue, let expressions = rule["expr"]?.arrayValue
            else { continue }
            let key = FirewallChain.Key(table: FirewallTableName(tool: .nftables, family: family, name: table), chain: chain)
            guard chains[key] != nil else { continue }
            let handle = rule["handle"]?.integerValue
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

    private static func hook(_ chain: JSONValue, family: String) -> FirewallChain.Hook? {
        guard let hook = chain["hook"]?.stringValue else { return nil }
        let stage: FirewallStage
        switch (family, hook) {
        case ("netdev", "ingress"), ("inet", "ingress"): stage = .ingress
        case ("ip", "prerouting"), ("ip6", "prerouting"), ("inet", "prerouting"): stage = .prerouting
        case ("ip", "input"), ("ip6", "input"), ("inet", "input"): stage = .input
        default: return nil
        }
        let families: Set<IPAddress.Family> = family == "ip" ? [.v4] : family == "ip6" ? [.v6] : [.v4, .v6]
        var devices: [String] = []
        if let device = chain["dev"]?.stringValue { devices = [device] }
        if let list = chain["dev"]?.arrayValue { devices = list.compactMap(\.stringValue) }
        return FirewallChain.Hook(
            stage: stage, priority: priority(chain["prio"]), policyAccepts: chain["policy"]?.stringValue != "drop",
            families: families, devices: devices)
    }

    /// A chain priority: a number, or a standard name (`filter` is 0, `raw` -300, ...).
    private static func priority(_ value: JSONValue?) -> Int {
        if let number = value?.integerValue { return number }
        let names = ["raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100]
        return value?.stringValue.flatMap { names[$0] } ?? 0
    }

    /// A named set or map: family, table and name.
    struct SetKey: Hashable {
        var family: String
        var table: String
        var name: String

        init?(_ set: JSONValue) {
            guard let family = set["family"]?.stringValue, let table = set["table"]?.stringValue,
                let name = set["name"]?.stringValue
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
        var sets: [SetKey: [JSONValue]]

        /// One (conditions, action) per outcome: one for an ordinary rule, one per element of a
        /// verdict map (the key equal to the element, then its verdict).
        func rules(from expressions: [JSONValue]) -> [([PacketCondition], FirewallAction)] {
            var conditions: [PacketCondition] = familyConditions()
            for expression in expressions {
                guard let (kind, body) = expression.objectMembers?.first else { continue }
                switch kind {
                case "match":
                    conditions += match(body)
                case "accept": return [(conditions, .accept)]
                case "drop": return [(conditions, .drop)]
                case "reject": return [(conditions, .reject)]
                case "return": return [(conditions, .return)]
                case "continue": return [(conditions, .continue)]
                case "jump", "goto":
                    guard let target = body["target"]?.stringValue else {
                        return [(conditions, .unknown(kind))]
                    }
                    return [(conditions, kind == "jump" ? .jump(target) : .goto(target))]
                case "vmap":
                    return verdictMap(body, conditions: conditions)
                case "counter", "log", "mangle", "notrack", "comment", "set", "ct helper", "ct timeout", "ct expectation", "flow":
                    continue
                case "xt":
                    let name = body["name"]?.stringValue ?? "?"
                    let type = body["type"]?.stringValue ?? "match"
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
        private func match(_ body: JSONValue) -> [PacketCondition] {
            let op = body["op"]?.stringValue ?? "=="
            guard let (kind, selector) = body["left"]?.objectMembers?.first else {
                return [.unknown("match")]
            }
            let right = body["right"] ?? .null
            var implied: [PacketCondition] = []
            let value: PacketCondition
            switch kind {
            case "meta":
                switch selector["key"]?.stringValue {
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
                    value = .inputInterface(strings(right).map { $0.replacing("\\*", with: "*") })
                case "pkttype": value = .packetType(Set(strings(right)))
                case let key: return [.unknown("meta \(key ?? "?")")]
                }
            case "payload":
                let proto = selector["protocol"]?.stringValue
                let field = selector["field"]?.stringValue
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
            case "ct" where selector["key"]?.stringValue == "state":
                value = .connectionState(Set(strings(right)))
            default:
                return [.unknown(kind)]
            }
            return implied + [op == "!=" ? .not(value) : value]
        }

        /// The verdict map `key vmap { value : verdict, ... }` as one rule per element.
        private func verdictMap(_ body: JSONValue, conditions: [PacketCondition]) -> [([PacketCondition], FirewallAction)] {
            let data: [JSONValue]
            if let named = body["data"]?.stringValue, named.hasPrefix("@") {
                data = sets[SetKey(family: family, table: table, name: String(named.dropFirst()))] ?? []
            } else {
                data = body["data"]?["set"]?.arrayValue ?? []
            }
            var expanded: [([PacketCondition], FirewallAction)] = []
            for case let pair? in data.map(\.arrayValue) where pair.count == 2 {
                let keyMatch = match(.object([("op", .string("==")), ("left", body["key"] ?? .null), ("right", pair[0])]))
                let verdict = rules(from: [pair[1]]).first?.1 ?? .unknown("vmap")
                expanded.append((conditions + keyMatch, verdict))
            }
            return expanded.isEmpty ? [(conditions + [.unknown("vmap")], .continue)] : expanded
        }

        /// Right-hand values as strings (names, numbers, set and list elements).
        private func strings(_ right: JSONValue) -> [String] {
            elements(right).compactMap { element in
                element.stringValue ?? element.integerValue.map { String($0) }
            }
        }

        /// Right-hand values as address ranges; nil when one of them is not an address.
        private func addresses(_ right: JSONValue) -> [AddressRange]? {
            var ranges: [AddressRange] = []
            for element in elements(right) {
                if let text = element.stringValue, let range = AddressRange(parsing: text) {
                    ranges.append(range)
                } else if let prefix = element["prefix"],
                    let address = prefix["addr"]?.stringValue, let length = prefix["len"]?.integerValue,
                    let parsed = IPAddress(address).flatMap({ IPPrefix(address: $0, length: length) })
                {
                    ranges.append(AddressRange(parsed))
                } else if let ends = element["range"]?.arrayValue?.map(\.stringValue),
                    ends.count == 2, let low = ends[0].flatMap(IPAddress.init), let high = ends[1].flatMap(IPAddress.init),
                    let range = AddressRange(low: low, high: high)
                {
                    ranges.append(range)
                } else {
                    return nil
                }
            }
            return ranges
        }

        /// The elements a right-hand side stands for: a value, a list, an anonymous set, a named set
        /// (`@name`). A name among a named set's own elements is kept as a value, not followed: nft
        /// writes none there, and a set naming itself must not send the parser round for ever.
        private func elements(_ right: JSONValue, followingNames: Bool = true) -> [JSONValue] {
            if followingNames, let text = right.stringValue, text.hasPrefix("@") {
                let named = sets[SetKey(family: family, table: table, name: String(text.dropFirst()))] ?? []
                return named.flatMap { elements($0, followingNames: false) }
            }
            if let list = right.arrayValue { return list.flatMap { elements($0, followingNames: followingNames) } }
            if let set = right["set"] { return elements(set, followingNames: followingNames) }
            if let value = right["elem"]?["val"] { return elements(value, followingNames: followingNames) }
            return [right]
        }
    }
}
