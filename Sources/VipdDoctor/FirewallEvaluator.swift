import VipdConfig

/// A rule named with the chain it is in: what a finding points at.
public struct FirewallRuleLocation: Sendable, Equatable, CustomStringConvertible {
    public var table: FirewallTableName
    public var chain: String
    public var rule: FirewallRule

    public init(table: FirewallTableName, chain: String, rule: FirewallRule) {
        self.table = table
        self.chain = chain
        self.rule = rule
    }

    /// `nftables inet filter input handle 8: meta l4proto vrrp drop` or
    /// `iptables -t filter: -A INPUT -p vrrp -j DROP`.
    public var description: String {
        switch table.tool {
        case .nftables:
            let handle = rule.handle.map { " handle \($0)" } ?? " rule \(rule.position)"
            return "nftables \(table.family) \(table.name) \(chain)\(handle)" + (rule.text.isEmpty ? "" : ": \(rule.text)")
        case .iptables, .ip6tables:
            return "\(table.tool.rawValue)-save -t \(table.name): \(rule.text)"
        }
    }
}

/// What a ruleset does with one packet.
public struct FirewallOutcome: Sendable, Equatable {
    /// Why a packet does not get through.
    public enum Drop: Sendable, Equatable {
        /// A rule drops or rejects it.
        case rule(FirewallRuleLocation)
        /// It reaches the end of a base chain whose policy is drop.
        case policy(table: FirewallTableName, chain: String)
    }

    /// nil when the packet gets through every base chain.
    public var drop: Drop?
    /// Rules met on the way whose conditions could not be judged and whose verdict would change
    /// the answer if they applied (an unjudged drop, accept, jump or goto), in the order met.
    public var undecided: [FirewallRuleLocation]

    public init(drop: Drop?, undecided: [FirewallRuleLocation] = []) {
        self.drop = drop
        self.undecided = undecided
    }
}

/// Walks an incoming packet through a `FirewallRuleset` as netfilter does: every base chain
/// of the stages ingress, prerouting and input that sees the packet's family (and device), in
/// priority order; in each, rule by rule, following jump, goto and return; an accept ends only
/// that base chain, a drop or reject ends everything, the end of a base chain applies its policy.
///
/// A rule whose conditions cannot be judged (`PacketCondition.unknown`) is treated as not
/// matching and recorded in `FirewallOutcome.undecided`. Pure.
public enum FirewallEvaluator {
    /// Deeper jump nesting than this is not followed (the kernel allows 16 levels).
    static let maximumDepth = 64
    /// Rule visits per base chain before the walk gives up (a safety bound, never reached by a real ruleset).
    static let maximumSteps = 100_000

    /// The base chains `packet` passes, in order.
    public static func baseChains(of ruleset: FirewallRuleset, for packet: VRRPAdvertPacket) -> [FirewallChain] {
        ruleset.chains.values
            .filter { chain in
                guard let hook = chain.hook, hook.families.contains(packet.family) else { return false }
                return hook.devices.isEmpty || hook.devices.contains(packet.interface)
            }
            .sorted { left, right in
                let (a, b) = (left.hook!, right.hook!)
                if a.stage != b.stage { return a.stage < b.stage }
                if a.priority != b.priority { return a.priority < b.priority }
                return (left.table.description, left.name) < (right.table.description, right.name)
            }
    }

    /// What happens to `packet`.
    public static func evaluate(_ packet: VRRPAdvertPacket, in ruleset: FirewallRuleset) -> FirewallOutcome {
        var undecided: [FirewallRuleLocation] = []
        for base in baseChains(of: ruleset, for: packet) {
            if let drop = walk(base, packet: packet, ruleset: ruleset, undecided: &undecided) {
                return FirewallOutcome(drop: drop, undecided: undecided)
            }
        }
        return FirewallOutcome(drop: nil, undecided: undecided)
    }

    /// One base chain: nil when the packet leaves it accepted.
    private static func walk(
        _ base: FirewallChain, packet: VRRPAdvertPacket, ruleset: FirewallRuleset, undecided: inout [FirewallRuleLocation]
    ) -> FirewallOutcome.Drop? {
        // The call stack: each frame is a chain and the index of its next rule.
        var frames: [(chain: FirewallChain, next: Int)] = [(base, 0)]
        var steps = 0
        while let top = frames.last, steps < maximumSteps {
            steps += 1
            guard top.next < top.chain.rules.count else {
                frames.removeLast()
                continue
            }
            frames[frames.count - 1].next += 1
            let rule = top.chain.rules[top.next]
            let location = FirewallRuleLocation(table: top.chain.table, chain: top.chain.name, rule: rule)
            let applies = matches(rule, packet)
            if applies == nil {
                if rule.action != .continue { undecided.append(location) }
                continue
            }
            guard applies == true else { continue }
            switch rule.action {
            case .continue:
                continue
            case .accept:
                return nil
            case .drop, .reject:
                return .rule(location)
            case .return:
                frames.removeLast()
            case .jump(let target), .goto(let target):
                guard let chain = ruleset.chains[FirewallChain.Key(table: top.chain.table, chain: target)],
                    frames.count < maximumDepth
                else {
                    undecided.append(location)
                    continue
                }
                if case .goto = rule.action { frames.removeLast() }
                frames.append((chain, 0))
            case .unknown:
                undecided.append(location)
            }
        }
        return base.hook?.policyAccepts == false ? .policy(table: base.table, chain: base.name) : nil
    }

    /// All conditions: false if one is false, else nil if one is unknown, else true.
    static func matches(_ rule: FirewallRule, _ packet: VRRPAdvertPacket) -> Bool? {
        var result: Bool? = true
        for condition in rule.conditions {
            switch packet.satisfies(condition) {
            case false?: return false
            case nil: result = nil
            case true?: break
            }
        }
        return result
    }
}
