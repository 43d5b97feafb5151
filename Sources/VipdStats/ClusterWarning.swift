/// What the VRRP views of the nodes say together and no single node can: two nodes MASTER of one
/// instance at once (split brain: both answer for the VIP), or none MASTER (nobody holds it).
/// Only this node and the peers that answered count; an unreachable peer is shown, not guessed.
public struct ClusterWarning: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case twoMasters = "two-masters"
        case noMaster = "no-master"
    }

    public var kind: Kind
    /// The VRRP instance's name.
    public var instance: String
    /// The nodes concerned: the masters, or every node that runs the instance.
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
    /// instance in this node's order, then the instances only peers run. None without peers: one
    /// node alone cannot tell whether another is master.
    public static func warnings(node: String?, vrrp: [VRRPInstanceStats], peers: [PeerStats]) -> [ClusterWarning] {
        guard !peers.isEmpty else { return [] }
        let views = [(node ?? "this node", vrrp)] + peers.filter(\.reachable).map { ($0.node, $0.vrrp) }
        var order: [String] = []
        var states: [String: [(node: String, instance: VRRPInstanceStats)]] = [:]
        for (name, instances) in views {
            for instance in instances {
                if states[instance.name] == nil { order.append(instance.name) }
                states[instance.name, default: []].append((name, instance))
            }
        }
        return order.compactMap { name in
            let entries = states[name] ?? []
            let masters = entries.filter { $0.instance.state == "MASTER" }.map(\.node)
            if masters.count > 1 {
                let addresses = entries.first?.instance.virtualAddresses.joined(separator: ", ") ?? ""
                return ClusterWarning(
                    kind: .twoMasters, instance: name, nodes: masters,
                    text: "\(name): \(list(masters)) are \(masters.count == 2 ? "both" : "all") MASTER: split brain, each answers for \(addresses)")
            }
            if masters.isEmpty {
                let seen = entries.map { "\($0.node) \($0.instance.state)" }.joined(separator: ", ")
                return ClusterWarning(
                    kind: .noMaster, instance: name, nodes: entries.map(\.node),
                    text: "\(name): no node that answers is MASTER (\(seen)): nobody holds its virtual addresses")
            }
            return nil
        }
    }

    /// `a and b`, `a, b and c`.
    private static func list(_ names: [String]) -> String {
        names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }
}
