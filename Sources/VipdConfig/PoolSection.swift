import VipdCore

extension ConfigReader {
    /// The `pools` section: a mapping from pool name to its settings. `nodes` expands `servers: nodes:PORT`;
    /// nil when the file has no `cluster` section.
    func readPools(_ node: YAMLNode, path: String, nodes: [ClusterNode]?) -> (pools: [PoolConfig], names: [String]) {
        guard let entries = namedEntries(of: node, path: path) else { return ([], []) }
        let pools = entries.compactMap { readPool($0, path: Self.join(path, $0.name), nodes: nodes) }
        return (pools, entries.map(\.name))
    }

    /// One `pools.NAME` entry.
    private func readPool(_ entry: Entry, path: String, nodes: [ClusterNode]?) -> PoolConfig? {
        guard let fields = fields(of: entry.value, path: path, owner: entry.key.position, as: .pool) else { return nil }
        let balance: BalanceAlgorithm? =
            fields["balance"].map { readChoice($0, path: fields.path("balance"), as: BalanceAlgorithm.self) }
            ?? .roundrobin
        let servers = required("servers", in: fields).flatMap {
            readServers($0, path: fields.path("servers"), nodes: nodes)
        }
        let check: HealthCheckConfig? =
            fields["check"].map { readHealthCheck($0, path: fields.path("check")) } ?? HealthCheckConfig()
        let transparent: Bool? = fields["transparent"].map { readBool($0, path: fields.path("transparent")) } ?? false
        guard let balance, let servers, let check, let transparent else { return nil }
        guard let node = fields["transparent"], transparent else {
            return PoolConfig(name: entry.name, balance: balance, servers: servers, check: check)
        }
        guard let nodeServers = transparentServers(servers, nodes: nodes, at: node, path: fields.path("transparent")) else { return nil }
        return PoolConfig(name: entry.name, balance: balance, servers: nodeServers, check: check, transparent: true)
    }

    /// A pool's `servers`: `nodes:PORT`, or a non-empty list of servers with unique names and addresses.
    private func readServers(_ node: YAMLNode, path: String, nodes: [ClusterNode]?) -> [ServerConfig]? {
        switch node {
        case .scalar(let scalar) where !Self.isNull(scalar):
            return readNodesShorthand(node, text: scalar.text, path: path, nodes: nodes)
        case .sequence(let sequence):
            if sequence.isEmpty {
                report("a pool needs at least one server", at: node, path: path)
                return nil
            }
            var servers: [ServerConfig] = []
            // Names taken and the server at each address, so that a pool of many servers is read in linear time.
            var names: Set<String> = []
            var serverAtEndpoint: [SocketEndpoint: String] = [:]
            var complete = true
            for (index, item) in sequence.enumerated() {
                let serverPath = "\(path)[\(index)]"
                guard let (server, nameNode) = readServer(item, path: serverPath) else {
                    complete = false
                    continue
                }
                if names.contains(server.name) {
                    report(
                        "duplicate server name \"\(server.name)\" in this pool", at: nameNode, path: "\(serverPath).name"
                    )
                    complete = false
                } else if let other = serverAtEndpoint[server.endpoint] {
                    report(
                        "address \(server.endpoint) is already used by server \"\(other)\" in this pool",
                        at: item.mapping?["address"] ?? item, path: "\(serverPath).address")
                    complete = false
                } else {
                    names.insert(server.name)
                    serverAtEndpoint[server.endpoint] = server.name
                    servers.append(server)
                }
            }
            return complete ? servers : nil
        default:
            reportType(expected: "\"nodes:PORT\" or a list of servers", got: node, path: path)
            return nil
        }
    }

    /// `servers: nodes:PORT`: one server per cluster node, named after it, at its address and PORT.
    private func readNodesShorthand(_ node: YAMLNode, text: String, path: String, nodes: [ClusterNode]?) -> [ServerConfig]?
    {
        guard text.hasPrefix("nodes:"), Self.isDecimalInteger(String(text.dropFirst(6))) else {
            report(
                "invalid servers \"\(text)\": use \"nodes:PORT\" (e.g. nodes:22) or a list of servers", at: node,
                path: path)
            return nil
        }
        guard let port = Int(text.dropFirst(6)), (1...65535).contains(port) else {
            report("port \(text.dropFirst(6)) is out of range: must be between 1 and 65535", at: node, path: path)
            return nil
        }
        guard let nodes else {
            report("\"\(text)\" needs cluster.nodes, which is not set", at: node, path: path)
            return nil
        }
        return nodes.map { ServerConfig(name: $0.name, endpoint: SocketEndpoint(address: $0.address, port: port)) }
    }

    /// One item of a `servers` list, and the node to point at when its name is a duplicate.
    private func readServer(_ node: YAMLNode, path: String) -> (ServerConfig, YAMLNode)? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .server) else { return nil }
        let endpoint = required("address", in: fields).flatMap { readEndpoint($0, path: fields.path("address")) }
        let nameNode = fields["name"]
        let name = nameNode.flatMap { readString($0, path: fields.path("name")) }
        let weight: Int? = fields["weight"].map { readInt($0, path: fields.path("weight"), range: 0...256) } ?? 1
        let backup: Bool? = fields["backup"].map { readBool($0, path: fields.path("backup")) } ?? false
        let checked: Bool? = fields["check"].map { readBool($0, path: fields.path("check")) } ?? true
        guard let endpoint, nameNode == nil || name != nil, let weight, let backup, let checked else { return nil }
        let server = ServerConfig(
            name: name ?? endpoint.description, endpoint: endpoint, weight: weight, backup: backup, checked: checked)
        return (server, nameNode ?? fields["address"] ?? node)
    }
}
