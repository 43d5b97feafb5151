import VipdCore

extension VipdConfiguration {
    /// The cluster node this host is, or nil when none matches.
    ///
    /// - An explicit `name` (e.g. from `--node`) wins: the node with that name, or nil if there is none.
    /// - Otherwise the node whose address is one of `hostAddresses` (the host's interface addresses).
    /// - Otherwise the node named like `hostname`, or like its short form before the first dot.
    public func resolveNode(named name: String?, hostAddresses: [IPAddress], hostname: String) -> ClusterNode? {
        if let name { return nodes.first { $0.name == name } }
        if let node = nodes.first(where: { hostAddresses.contains($0.address) }) { return node }
        let shortName = hostname.split(separator: ".", maxSplits: 1).first.map(String.init) ?? hostname
        return nodes.first { $0.name == hostname } ?? nodes.first { $0.name == shortName }
    }
}
