import VipdCore

extension ConfigReader {
    /// The `cluster` section: `nodes`, a mapping from node name to `address`, `address6` and `priority`.
    /// Node addresses (`address` and `address6` alike) must be unique.
    func readCluster(_ node: YAMLNode, path: String, owner: TextPosition?) -> [ClusterNode] {
        guard let fields = fields(of: node, path: path, owner: owner, as: .cluster),
            let nodesNode = required("nodes", in: fields),
            let entries = namedEntries(
                of: nodesNode, path: fields.path("nodes"), emptyMessage: "cluster.nodes must list at least one node")
        else { return [] }
        var nodes: [ClusterNode] = []
        var addressOwners: [IPAddress: String] = [:]
        for entry in entries {
            let nodePath = Self.join(fields.path("nodes"), entry.name)
            guard let node = readClusterNode(entry, path: nodePath) else { continue }
            let keyed = [("address", node.address)] + (node.address6.map { [("address6", $0)] } ?? [])
            let taken = keyed.filter { addressOwners[$0.1] != nil }
            for (key, address) in taken {
                report(
                    "address \(address) is already used by node \"\(addressOwners[address]!)\"",
                    at: entry.value.mapping?[key] ?? entry.value, path: Self.join(nodePath, key))
            }
            guard taken.isEmpty else { continue }
            keyed.forEach { addressOwners[$0.1] = node.name }
            nodes.append(node)
        }
        return nodes
    }

    /// One `cluster.nodes.NAME` entry.
    private func readClusterNode(_ entry: Entry, path: String) -> ClusterNode? {
        guard let fields = fields(of: entry.value, path: path, owner: entry.key.position, as: .clusterNode) else {
            return nil
        }
        let address = required("address", in: fields).flatMap { readAddress($0, path: fields.path("address")) }
        let priority: Int? =
            fields["priority"].map { readInt($0, path: fields.path("priority"), range: 1...255) } ?? 100
        let address6Node = fields["address6"]
        let address6 = address6Node.flatMap { readAddress6($0, path: fields.path("address6"), besides: address) }
        guard let address, let priority, (address6Node == nil) == (address6 == nil) else { return nil }
        return ClusterNode(name: entry.name, address: address, address6: address6, priority: priority)
    }

    /// `address6`: a global or unique-local IPv6 address, next to an IPv4 `address` (nil when that failed to read).
    private func readAddress6(_ node: YAMLNode, path: String, besides address: IPAddress?) -> IPAddress? {
        guard let address6 = readAddress(node, path: path) else { return nil }
        var problem: String?
        if address6.family != .v6 {
            problem = "\(address6) is not an IPv6 address; address6 holds the node's IPv6 address, like 2001:db8::10 (the IPv4 one goes in address)"
        } else if address6.isIPv6LinkLocal {
            problem = "\(address6) is link-local, and sshd cannot listen on it without an interface scope; use a global or unique-local address"
        } else if let address, address.family == .v6 {
            problem = "address is already IPv6 (\(address)); address6 adds an IPv6 address to a node whose address is IPv4"
        }
        guard let problem else { return address6 }
        report(problem, at: node, path: path)
        return nil
    }
}
