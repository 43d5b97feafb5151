import Yams

extension ConfigReader {
    /// The `cluster` section: `nodes`, a mapping from node name to `address` and `priority`.
    /// Node addresses must be unique.
    func readCluster(_ node: Node, path: String, owner: Mark?) -> [ClusterNode] {
        guard let fields = fields(of: node, path: path, owner: owner, allowed: ["nodes"]),
            let nodesNode = required("nodes", in: fields),
            let entries = namedEntries(
                of: nodesNode, path: fields.path("nodes"), emptyMessage: "cluster.nodes must list at least one node")
        else { return [] }
        var nodes: [ClusterNode] = []
        var addressOwners: [IPAddress: String] = [:]
        for entry in entries {
            let nodePath = Self.join(fields.path("nodes"), entry.name)
            guard let node = readClusterNode(entry, path: nodePath) else { continue }
            if let other = addressOwners[node.address] {
                report(
                    "address \(node.address) is already used by node \"\(other)\"",
                    at: entry.value.mapping?["address"] ?? entry.value, path: Self.join(nodePath, "address"))
                continue
            }
            addressOwners[node.address] = node.name
            nodes.append(node)
        }
        return nodes
    }

    /// One `cluster.nodes.NAME` entry.
    private func readClusterNode(_ entry: Entry, path: String) -> ClusterNode? {
        guard let fields = fields(of: entry.value, path: path, owner: entry.key.mark, allowed: ["address", "priority"])
        else {
            return nil
        }
        let address = required("address", in: fields).flatMap { readAddress($0, path: fields.path("address")) }
        let priority: Int? =
            fields["priority"].map { readInt($0, path: fields.path("priority"), range: 1...255) } ?? 100
        guard let address, let priority else { return nil }
        return ClusterNode(name: entry.name, address: address, priority: priority)
    }
}
