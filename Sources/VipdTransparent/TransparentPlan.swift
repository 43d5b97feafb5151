import VipdConfig
import VipdCore

extension VipdConfiguration {
    /// Whether any pool is transparent.
    public var hasTransparentPools: Bool { pools.contains(where: \.transparent) }
}

extension TransparentRuleset {
    /// The ruleset of `node` for `configuration`'s transparent pools, with the peers' link-layer
    /// addresses known so far (`linkAddresses`, by node address) and the interfaces they are reached
    /// on (`probeInterfaces`); nil when no pool is transparent. A peer's index is its place in
    /// `cluster.nodes` (1-based), the same on every reload.
    public init?(
        configuration: VipdConfiguration, node: ClusterNode, linkAddresses: [IPAddress: [String]],
        probeInterfaces: [IPAddress.Family: String] = [:]
    ) {
        guard configuration.hasTransparentPools else { return nil }
        let ownAddresses = Set(node.addresses)
        var services: [SocketEndpoint] = []
        for pool in configuration.pools where pool.transparent {
            for server in pool.servers {
                for family in [IPAddress.Family.v4, .v6] {
                    guard let endpoint = server.endpoint(for: family),
                        ownAddresses.contains(endpoint.address), !services.contains(endpoint)
                    else { continue }
                    services.append(endpoint)
                }
            }
        }
        let peers = configuration.nodes.enumerated().compactMap { offset, peer -> TransparentPeer? in
            guard peer.name != node.name, offset < TransparentMarks.maximumPeerIndex else { return nil }
            let macs = peer.addresses.flatMap { linkAddresses[$0] ?? [] }
            return TransparentPeer(
                name: peer.name, index: offset + 1, addresses: peer.addresses,
                linkAddresses: macs.reduce(into: []) { if !$0.contains($1) { $0.append($1) } })
        }
        self.init(services: services, peers: peers, probeInterfaces: probeInterfaces)
    }
}
