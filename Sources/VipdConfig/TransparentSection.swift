import VipdCore

extension ConfigReader {
    /// The most nodes a transparent pool's cluster may have: vipd's mark field names up to 31 peers.
    static let transparentNodeLimit = 31

    /// A pool's `transparent: true`: every server is a cluster node (its address or `address6`), since
    /// only a node running vipd sends the replies to a connection from the client's address back
    /// through the proxying node; another server would answer the client directly. Returns the
    /// servers with their ``ServerConfig/nodeEndpoints``.
    func transparentServers(_ servers: [ServerConfig], nodes: [ClusterNode]?, at node: YAMLNode, path: String) -> [ServerConfig]? {
        guard let nodes else {
            report(
                "transparent needs cluster.nodes: only servers that are cluster nodes running vipd can send their replies back through the proxying node",
                at: node, path: path)
            return nil
        }
        guard nodes.count <= Self.transparentNodeLimit else {
            report("transparent works with at most \(Self.transparentNodeLimit) cluster nodes (this cluster has \(nodes.count))", at: node, path: path)
            return nil
        }
        var nodeServers: [ServerConfig] = []
        var strangers: [ServerConfig] = []
        for var server in servers {
            guard let owner = nodes.first(where: { $0.addresses.contains(server.endpoint.address) }) else {
                strangers.append(server)
                continue
            }
            server.nodeEndpoints = owner.addresses.map { SocketEndpoint(address: $0, port: server.endpoint.port) }
            nodeServers.append(server)
        }
        guard strangers.isEmpty else {
            let named = strangers.prefix(3).map { "\"\($0.name)\" (\($0.endpoint))" }.joined(separator: ", ")
            let more = strangers.count > 3 ? " and \(strangers.count - 3) more" : ""
            report(
                "transparent: server \(named)\(more) is not a cluster node: a server that does not run vipd sends its replies straight to the client, which drops them; use servers: nodes:PORT, list it under cluster.nodes, or remove transparent",
                at: node, path: path)
            return nil
        }
        return nodeServers
    }

    /// Listeners of a transparent pool: TCP mode (HTTP mode passes the client's address in its
    /// headers), and every server reachable in the family of the listener's address.
    func checkTransparentListeners(_ node: YAMLNode, path: String, listeners: [ListenerConfig], pools: [PoolConfig]) {
        for listener in listeners {
            guard let pool = pools.first(where: { $0.name == listener.pool }), pool.transparent else { continue }
            let at = node.mapping?[listener.name]?.mapping?["pool"] ?? node
            let poolPath = Self.join(Self.join(path, listener.name), "pool")
            if listener.mode == .http {
                report(
                    "pool \"\(pool.name)\" is transparent, which applies to mode: tcp; in mode: http the client's address reaches the servers in X-Forwarded-For and Forwarded",
                    at: at, path: poolPath)
                continue
            }
            let family = listener.bind.address.family
            guard let server = pool.servers.first(where: { $0.endpoint(for: family) == nil }) else { continue }
            let name = family == .v6 ? "IPv6" : "IPv4"
            report(
                "pool \"\(pool.name)\" is transparent and this listener is \(name), but server \"\(server.name)\" has no \(name) address to take the client's connection: give its node \(family == .v6 ? "address6" : "an IPv4 address")",
                at: at, path: poolPath)
        }
    }
}

extension PoolConfig {
    /// Where a transparent pool's health checks come from: an IPv4 link-local address no host takes
    /// (RFC 3927 reserves 169.254.0.0/24) and an address of IPv6's discard-only prefix (RFC 6666).
    /// Only vipd on the server's node routes the replies to them back to the checking node, so a
    /// check passes only while that node's vipd would bring a client's replies back.
    public static func transparentCheckSource(_ family: IPAddress.Family) -> IPAddress {
        family == .v4 ? IPAddress("169.254.0.1")! : IPAddress("100::1")!
    }
}

extension ServerConfig {
    /// Where a connection from a client of `family` reaches this server: its node's address of that
    /// family in a transparent pool, else its own endpoint when of that family; nil when there is none.
    public func endpoint(for family: IPAddress.Family) -> SocketEndpoint? {
        nodeEndpoints.first { $0.address.family == family } ?? (endpoint.address.family == family ? endpoint : nil)
    }
}
