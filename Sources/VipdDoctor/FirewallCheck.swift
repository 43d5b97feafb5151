import VipdConfig
import VipdVRRPPacket

/// "The firewall lets VRRP in": for every VRRP instance, the adverts each peer sends (to the
/// group 224.0.0.18 / ff02::12, or to this node for unicast) walked through the ruleset. A drop
/// is a FAIL naming the rule or the policy, with the command that lets VRRP past it; a rule
/// that cannot be judged on the way makes it a WARN. Pure.
public enum FirewallCheck {
    /// One result per VRRP instance.
    public static func results(
        snapshot: FirewallSnapshot, config: VipdConfiguration, node: ClusterNode
    ) -> [DoctorCheckResult] {
        guard !config.vrrp.isEmpty else { return [] }
        if snapshot.isEmpty {
            let title = "firewall lets VRRP (protocol 112) in"
            if snapshot.problems.isEmpty {
                return [DoctorCheckResult(.pass, title, detail: "neither nft nor iptables-save is installed: no firewall to check")]
            }
            return [
                DoctorCheckResult(
                    .warn, title, detail: "cannot read the firewall: " + snapshot.problems.joined(separator: "; "),
                    fix: "run vipd doctor as root (nft and iptables-save need CAP_NET_ADMIN)")
            ]
        }
        let ruleset: FirewallRuleset
        do {
            ruleset = try snapshot.ruleset()
        } catch {
            return [DoctorCheckResult(.warn, "firewall lets VRRP (protocol 112) in", detail: "cannot read nft's JSON: \(error)")]
        }
        let firewalld = isManagedByFirewalld(ruleset)
        return config.vrrp.map { instance in
            result(for: instance, ruleset: ruleset, config: config, node: node, firewalld: firewalld, problems: snapshot.problems)
        }
    }

    /// The adverts `node` receives for `instance`: one per peer (one for all peers when only their
    /// IPv6 link-local source is known).
    public static func adverts(for instance: VRRPInstanceConfig, config: VipdConfiguration, node: ClusterNode) -> [VRRPAdvertPacket] {
        let family = instance.family
        let peerAddresses = config.nodes.filter { $0.name != node.name }.compactMap { peer in
            peer.addresses.first { $0.family == family }
        }
        if instance.unicast {
            guard let own = node.addresses.first(where: { $0.family == family }) else { return [] }
            return peerAddresses.map { VRRPAdvertPacket(source: AddressRange($0), destination: own, interface: instance.interface) }
        }
        let group = VRRPPacketCodec.multicastGroup(family)
        if family == .v6 {
            return [VRRPAdvertPacket(source: VRRPAdvertPacket.linkLocalSources, destination: group, interface: instance.interface)]
        }
        return peerAddresses.map { VRRPAdvertPacket(source: AddressRange($0), destination: group, interface: instance.interface) }
    }

    /// For vipd on this node, whose monitor blames this node's firewall: the first of `instance`'s
    /// adverts that `ruleset` drops, the rule or policy that drops it (table, chain, handle) and the
    /// commands that let VRRP past it in that table's chain, in one line; nil when none is dropped.
    public static func dropOnThisNode(
        for instance: VRRPInstanceConfig, ruleset: FirewallRuleset, config: VipdConfiguration, node: ClusterNode
    ) -> String? {
        for packet in adverts(for: instance, config: config, node: node) {
            guard let drop = FirewallEvaluator.evaluate(packet, in: ruleset).drop else { continue }
            let commands = fix(for: drop, firewalld: isManagedByFirewalld(ruleset)).split(separator: "\n").joined(separator: "; ")
            return "\(packet) is dropped on this node by \(describe(drop, lineBreak: " ")) — \(commands)"
        }
        return nil
    }

    /// Whether firewalld manages the ruleset (it has firewalld's table).
    private static func isManagedByFirewalld(_ ruleset: FirewallRuleset) -> Bool {
        ruleset.chains.keys.contains { $0.table.name == "firewalld" }
    }

    private static func result(
        for instance: VRRPInstanceConfig, ruleset: FirewallRuleset, config: VipdConfiguration, node: ClusterNode,
        firewalld: Bool, problems: [String]
    ) -> DoctorCheckResult {
        let title = "firewall lets VRRP (protocol 112) in for \(instance.name) on \(instance.interface)"
        let packets = adverts(for: instance, config: config, node: node)
        guard !packets.isEmpty else {
            return DoctorCheckResult(.warn, title, detail: "no peer in cluster.nodes has a \(instance.family == .v4 ? "IPv4" : "IPv6") address")
        }
        let outcomes = packets.map { ($0, FirewallEvaluator.evaluate($0, in: ruleset)) }
        let readNote = problems.isEmpty ? "" : "\n(not read: \(problems.joined(separator: "; ")))"
        if let (packet, outcome) = outcomes.first(where: { $0.1.drop != nil && $0.1.undecided.isEmpty })
            ?? outcomes.first(where: { $0.1.drop != nil })
        {
            let drop = outcome.drop!
            let status: DoctorStatus = outcome.undecided.isEmpty ? .fail : .warn
            var detail = "\(packet) is dropped by \(describe(drop))"
            if !outcome.undecided.isEmpty {
                detail += "\nunless one of these rules applies (its match cannot be judged here):\n"
                    + outcome.undecided.map { "  \($0)" }.joined(separator: "\n")
            }
            return DoctorCheckResult(status, title, detail: detail + readNote, fix: fix(for: drop, firewalld: firewalld))
        }
        let undecided = outcomes.flatMap(\.1.undecided)
        if let first = undecided.first {
            var seen = Set<String>()
            let rules = undecided.map(\.description).filter { seen.insert($0).inserted }
            return DoctorCheckResult(
                .warn, title,
                detail: "\(outcomes.first!.0) gets through, unless one of these rules applies (its match cannot be judged here):\n"
                    + rules.map { "  \($0)" }.joined(separator: "\n") + readNote,
                fix: "check these rules; to be sure, accept VRRP before them: " + acceptCommand(before: first, firewalld: firewalld))
        }
        let status: DoctorStatus = problems.isEmpty ? .pass : .warn
        let accepted = packets.map(\.description).joined(separator: "\n")
        return DoctorCheckResult(
            status, title, detail: "accepted: " + accepted + readNote,
            fix: problems.isEmpty ? "" : "run vipd doctor as root so every firewall tool can be read")
    }

    /// The rule or policy that drops; a rule on a line of its own unless `lineBreak` says otherwise.
    private static func describe(_ drop: FirewallOutcome.Drop, lineBreak: String = "\n  ") -> String {
        switch drop {
        case .rule(let location):
            return (location.rule.action == .reject ? "a reject rule:" : "a drop rule:") + lineBreak + location.description
        case .policy(let table, let chain):
            return "the policy of \(table) chain \(chain) (policy drop, no rule accepts VRRP)"
        }
    }

    /// The commands that let VRRP past `drop`.
    public static func fix(for drop: FirewallOutcome.Drop, firewalld: Bool) -> String {
        var lines: [String] = []
        switch drop {
        case .rule(let location):
            if location.table.name == "firewalld" {
                return firewalldCommand
            }
            lines.append(acceptCommand(before: location, firewalld: false))
            switch location.table.tool {
            case .nftables:
                if let handle = location.rule.handle {
                    lines.append("or remove the rule: nft delete rule \(location.table.family) \(location.table.name) \(location.chain) handle \(handle)")
                }
                lines.append("and make it permanent in /etc/nftables.conf")
            case .iptables, .ip6tables:
                let spec = location.rule.text.hasPrefix("-A ") ? String(location.rule.text.dropFirst(3)) : location.rule.text
                lines.append("or remove the rule: \(location.table.tool.rawValue) -t \(location.table.name) -D \(spec)")
                lines.append("and make it permanent: \(location.table.tool.rawValue)-save > /etc/iptables/rules.v\(location.table.tool == .iptables ? 4 : 6)")
            }
        case .policy(let table, let chain):
            switch table.tool {
            case .nftables:
                lines.append("nft add rule \(table.family) \(table.name) \(chain) meta l4proto vrrp accept")
                lines.append("and make it permanent in /etc/nftables.conf")
            case .iptables, .ip6tables:
                lines.append("\(table.tool.rawValue) -t \(table.name) -A \(chain) -p vrrp -j ACCEPT")
                lines.append("and make it permanent: \(table.tool.rawValue)-save > /etc/iptables/rules.v\(table.tool == .iptables ? 4 : 6)")
            }
        }
        if firewalld { lines.append("with firewalld: " + firewalldCommand) }
        return lines.joined(separator: "\n")
    }

    /// The rule that accepts VRRP just before `location`.
    public static func acceptCommand(before location: FirewallRuleLocation, firewalld: Bool) -> String {
        if firewalld && location.table.name == "firewalld" { return firewalldCommand }
        let table = location.table
        switch table.tool {
        case .nftables:
            let position = location.rule.handle.map { " position \($0)" } ?? ""
            return "nft insert rule \(table.family) \(table.name) \(location.chain)\(position) meta l4proto vrrp accept"
        case .iptables, .ip6tables:
            return "\(table.tool.rawValue) -t \(table.name) -I \(location.chain) \(location.rule.position) -p vrrp -j ACCEPT"
        }
    }

    /// firewalld's way to accept VRRP.
    public static let firewalldCommand =
        "firewall-cmd --permanent --add-rich-rule='rule protocol value=\"vrrp\" accept' && firewall-cmd --reload"
}
