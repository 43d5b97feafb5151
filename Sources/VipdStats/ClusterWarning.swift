import VipdVRRP

/// What the VRRP views of the nodes say together and no single node can: two nodes MASTER of one
/// instance at once (split brain: both answer for the VIP), none MASTER (nobody holds it), or nodes
/// held out of the master role by `vipd ctl handover` (they will not take over if the master
/// fails, until `vipd ctl ready`). Only this node and the peers that answered count; an
/// unreachable peer is shown, not guessed.
public struct ClusterWarning: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case twoMasters = "two-masters"
        case noMaster = "no-master"
        case held
    }

    public var kind: Kind
    /// The VRRP instance's name.
    public var instance: String
    /// The nodes concerned: the masters, every node that runs the instance, or the held ones.
    public var nodes: [String]
    /// The warning in words.
    public var text: String

    public init(kind: Kind, instance: String, nodes: [String], text: String) {
        self.kind = kind
        self.instance = instance
        self.nodes = nodes
        self.text = text
    }

    /// The warnings for this node's instances (`node`, `vrrp`) and its reachable `peers`', by
    /// instance in this node's order, then the instances only peers run; for one instance, the
    /// masters' warning before the held one. None without peers: one node alone cannot tell
    /// whether another is master.
    public static func warnings(node: String?, vrrp: [VRRPInstanceStatus], peers: [PeerStats]) -> [ClusterWarning] {
        guard !peers.isEmpty else { return [] }
        let views = [(node ?? "this node", vrrp)] + peers.filter(\.reachable).map { ($0.node, $0.vrrp) }
        var order: [String] = []
        var states: [String: [(node: String, instance: VRRPInstanceStatus)]] = [:]
        for (name, instances) in views {
            for instance in instances {
                if states[instance.name] == nil { order.append(instance.name) }
                states[instance.name, default: []].append((name, instance))
            }
        }
        return order.flatMap { name in
            let entries = states[name] ?? []
            return [masters(of: name, entries), held(of: name, entries)].compactMap { $0 }
        }
    }

    /// Two masters or none, for one instance's `entries`. A held MASTER is handing the addresses
    /// over (make-before-break: it lets them go at the new master's first advertisement, or drops
    /// the hold after `handover_timeout`), so it and one other master are not split brain.
    private static func masters(of name: String, _ entries: [(node: String, instance: VRRPInstanceStatus)]) -> ClusterWarning? {
        let masterEntries = entries.filter { $0.instance.state == "MASTER" }
        let masters = masterEntries.map(\.node)
        if masters.count > 1, masterEntries.filter({ !$0.instance.isHeld }).count > 1 {
            return ClusterWarning(
                kind: .twoMasters, instance: name, nodes: masters,
                text: "\(name): \(list(masters)) are \(masters.count == 2 ? "both" : "all") MASTER: split brain, each answers for \(addresses(entries))")
        }
        if masters.isEmpty {
            let seen = entries.map { "\($0.node) \($0.instance.state)" }.joined(separator: ", ")
            return ClusterWarning(
                kind: .noMaster, instance: name, nodes: entries.map(\.node),
                text: "\(name): no node that answers is MASTER (\(seen)): nobody holds its virtual addresses")
        }
        return nil
    }

    /// The nodes `vipd ctl handover` holds, for one instance's `entries`.
    private static func held(of name: String, _ entries: [(node: String, instance: VRRPInstanceStatus)]) -> ClusterWarning? {
        let held = entries.filter(\.instance.isHeld).map(\.node)
        guard !held.isEmpty else { return nil }
        let one = held.count == 1
        return ClusterWarning(
            kind: .held, instance: name, nodes: held,
            text: "\(name): \(list(held)) \(one ? "is" : "are") held out of the master role by vipd ctl handover: "
                + "\(one ? "it" : "they") will not take over \(addresses(entries)) if the master fails "
                + "(vipd ctl ready on \(list(held)) ends the hold)")
    }

    /// The instance's virtual addresses, as the first node that runs it lists them.
    private static func addresses(_ entries: [(node: String, instance: VRRPInstanceStatus)]) -> String {
        entries.first?.instance.virtualAddresses.joined(separator: ", ") ?? ""
    }

    /// `a and b`, `a, b and c`.
    private static func list(_ names: [String]) -> String {
        names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
