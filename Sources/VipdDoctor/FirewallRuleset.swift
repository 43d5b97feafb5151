import VipdCore

/// A firewall's rules for incoming packets, read from nftables or iptables, in one form the
/// `FirewallEvaluator` walks: tables of chains, base chains hooked where an incoming packet passes
/// (netdev ingress, prerouting, input) with their priority and policy, rules with conditions and a verdict.
public struct FirewallRuleset: Sendable, Equatable {
    /// Every chain, keyed by `FirewallChain.key`.
    public var chains: [FirewallChain.Key: FirewallChain]

    /// A ruleset of `chains`.
    public init(chains: [FirewallChain] = []) {
        self.chains = Dictionary(chains.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// This ruleset with the chains of `other` added (two tools' rules evaluated together).
    public func merging(_ other: FirewallRuleset) -> FirewallRuleset {
        FirewallRuleset(chains: Array(chains.values) + Array(other.chains.values))
    }

    /// This ruleset without the tables for which `remove` is true.
    public func removingTables(where remove: (FirewallTableName) -> Bool) -> FirewallRuleset {
        FirewallRuleset(chains: chains.values.filter { !remove($0.table) })
    }
}

/// Which tool manages a table and its name, e.g. nftables `inet filter` or iptables `filter`.
public struct FirewallTableName: Sendable, Hashable, CustomStringConvertible {
    /// The tool that lists and changes the table.
    public enum Tool: String, Sendable, Hashable {
        case nftables = "nft"
        case iptables
        case ip6tables
    }

    public var tool: Tool
    /// nftables family (`inet`, `ip`, `ip6`, `netdev`); `ip` for iptables, `ip6` for ip6tables.
    public var family: String
    public var name: String

    public init(tool: Tool, family: String, name: String) {
        self.tool = tool
        self.family = family
        self.name = name
    }

    /// `nftables table inet filter` or `iptables table filter`.
    public var description: String {
        tool == .nftables ? "nftables table \(family) \(name)" : "\(tool.rawValue) table \(name)"
    }
}

/// Where a base chain sits in the path of an incoming packet: earlier stages run first.
public enum FirewallStage: Int, Sendable, Comparable {
    /// netdev `ingress`: before the IP layer, per device.
    case ingress
    /// `prerouting`: every incoming packet, before the routing decision.
    case prerouting
    /// `input`: packets for this host.
    case input

    public static func < (lhs: FirewallStage, rhs: FirewallStage) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// A chain: a base chain (hooked, with a policy) or a regular chain reached by jump or goto.
public struct FirewallChain: Sendable, Equatable {
    /// A chain's identity: its table and name.
    public struct Key: Sendable, Hashable {
        public var table: FirewallTableName
        public var chain: String
    }

    /// Where a base chain is hooked.
    public struct Hook: Sendable, Equatable {
        public var stage: FirewallStage
        /// Lower runs first within a stage.
        public var priority: Int
        /// What happens at the end of the chain: true for `accept`, false for `drop`.
        public var policyAccepts: Bool
        /// The packet families the chain sees: ip → v4, ip6 → v6, inet/netdev → both.
        public var families: Set<IPAddress.Family>
        /// A netdev chain's devices; empty for every device.
        public var devices: [String]

        public init(stage: FirewallStage, priority: Int, policyAccepts: Bool, families: Set<IPAddress.Family>, devices: [String] = []) {
            self.stage = stage
            self.priority = priority
            self.policyAccepts = policyAccepts
            self.families = families
            self.devices = devices
        }
    }

    public var table: FirewallTableName
    public var name: String
    /// nil for a regular chain.
    public var hook: Hook?
    public var rules: [FirewallRule]

    public init(table: FirewallTableName, name: String, hook: Hook? = nil, rules: [FirewallRule] = []) {
        self.table = table
        self.name = name
        self.hook = hook
        self.rules = rules
    }

    public var key: Key { Key(table: table, chain: name) }
}

/// What a rule does when its conditions match.
public enum FirewallAction: Sendable, Equatable {
    /// A statement that does not decide (counter, log, mark): go on with the next rule.
    case `continue`
    case accept
    case drop
    /// Drop and answer with an ICMP error or TCP reset.
    case reject
    /// Run the chain, then come back.
    case jump(String)
    /// Run the chain instead; its end returns to the caller of this chain.
    case goto(String)
    /// Back to the calling chain (the policy in a base chain).
    case `return`
    /// A verdict this analyzer does not model (e.g. `queue`), described.
    case unknown(String)
}

/// One rule, with its place in the ruleset and its text as the tool prints it.
public struct FirewallRule: Sendable, Equatable {
    /// All must hold for the rule to apply.
    public var conditions: [PacketCondition]
    public var action: FirewallAction
    /// nftables: the rule's handle; nil for iptables.
    public var handle: Int?
    /// 1-based position in its chain (what `iptables -I CHAIN N` uses).
    public var position: Int
    /// `meta l4proto vrrp drop` (nft -a list ruleset, without the handle comment) or
    /// `-A INPUT -p vrrp -j DROP` (iptables-save); empty when nft's text listing was not available.
    public var text: String

    public init(conditions: [PacketCondition], action: FirewallAction, handle: Int? = nil, position: Int, text: String) {
        self.conditions = conditions
        self.action = action
        self.handle = handle
        self.position = position
        self.text = text
    }
}
