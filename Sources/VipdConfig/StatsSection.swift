import VipdCore

/// The stats listener (`stats`): the live HTML page, `/stats.json` and Prometheus `/metrics`.
public struct StatsConfig: Sendable, Equatable {
    /// Where the stats listener binds (`bind`).
    public var bind: StatsBind
    /// HTTP basic authentication required for every request (`auth`); nil: open.
    public var credentials: StatsCredentials?
    /// Whether the page also shows the other nodes' VRRP view, fetched from their stats listeners
    /// (`peers`, default true; needs a bind the other nodes' listeners can be derived from).
    public var showsPeers: Bool

    public init(bind: StatsBind, credentials: StatsCredentials? = nil, showsPeers: Bool = true) {
        self.bind = bind
        self.credentials = credentials
        self.showsPeers = showsPeers
    }

    /// Where the other nodes of `nodes` serve their stats, `this` left out: each node's address for
    /// `node:PORT` and for a wildcard bind (the same file on every node); none when peers are off or
    /// the bind is one fixed address (a loopback or management address says nothing of the others').
    public func peerEndpoints(nodes: [ClusterNode], this: ClusterNode?) -> [(node: String, endpoint: SocketEndpoint)] {
        guard showsPeers, let this else { return [] }
        let port: Int
        switch bind {
        case .node(let nodePort): port = nodePort
        case .endpoint(let endpoint) where endpoint.address.isWildcard: port = endpoint.port
        case .endpoint: return []
        }
        return nodes.filter { $0.name != this.name }.map { ($0.name, SocketEndpoint(address: $0.address, port: port)) }
    }
}

/// `stats.bind`: this node's own address (the same file on every node) or a fixed address.
public enum StatsBind: Sendable, Equatable, CustomStringConvertible {
    /// `node:PORT`: the running node's `address`, port PORT.
    case node(port: Int)
    /// `ADDRESS:PORT`.
    case endpoint(SocketEndpoint)

    /// The address to bind on `node`; nil for `node:PORT` when the node is unknown.
    public func endpoint(on node: ClusterNode?) -> SocketEndpoint? {
        switch self {
        case .node(let port): node.map { SocketEndpoint(address: $0.address, port: port) }
        case .endpoint(let endpoint): endpoint
        }
    }

    /// As written in the file: `node:8404`, `192.168.2.230:8404`.
    public var description: String {
        switch self {
        case .node(let port): "node:\(port)"
        case .endpoint(let endpoint): endpoint.description
        }
    }
}

/// `stats.auth`: the one user name and password the stats listener accepts.
public struct StatsCredentials: Sendable, Equatable {
    public var user: String
    public var password: String

    public init(user: String, password: String) {
        self.user = user
        self.password = password
    }
}

extension ConfigReader {
    /// The `stats` section: `bind` (required), `auth` and `peers`. `nodes` resolves `node:PORT` (nil when the
    /// file has no `cluster`); the bind must not clash with a listener's.
    func readStats(_ node: YAMLNode, path: String, owner: TextPosition?, nodes: [ClusterNode]?, listeners: [ListenerConfig])
        -> StatsConfig?
    {
        guard let fields = fields(of: node, path: path, owner: owner, as: .stats) else { return nil }
        let bind = required("bind", in: fields).flatMap { bindNode -> StatsBind? in
            guard let bind = readStatsBind(bindNode, path: fields.path("bind"), nodes: nodes) else { return nil }
            return checkStatsBind(bind, at: bindNode, path: fields.path("bind"), nodes: nodes ?? [], listeners: listeners)
        }
        let credentials: StatsCredentials?? = fields["auth"].map { readStatsCredentials($0, path: fields.path("auth")) }
        let showsPeers: Bool?? = fields["peers"].map { readBool($0, path: fields.path("peers")) }
        guard let bind, credentials != .some(nil), showsPeers != .some(nil) else { return nil }
        return StatsConfig(bind: bind, credentials: credentials ?? nil, showsPeers: (showsPeers ?? true) ?? true)
    }

    /// `node:PORT` or `ADDRESS:PORT`.
    private func readStatsBind(_ node: YAMLNode, path: String, nodes: [ClusterNode]?) -> StatsBind? {
        guard let text = readString(node, path: path) else { return nil }
        guard text.hasPrefix("node:") else { return readEndpoint(node, path: path).map(StatsBind.endpoint) }
        let portText = String(text.dropFirst(5))
        guard portText.allSatisfy(\.isASCII), Self.isDecimalInteger(portText), !portText.hasPrefix("+") else {
            report("invalid bind \"\(text)\": use node:PORT (e.g. node:8404) or an address and port", at: node, path: path)
            return nil
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            report("port \(portText) is out of range: must be between 1 and 65535", at: node, path: path)
            return nil
        }
        guard nodes?.isEmpty == false else {
            report("\"\(text)\" needs cluster.nodes, which is not set", at: node, path: path)
            return nil
        }
        return .node(port: port)
    }

    /// Reports a bind that clashes with a listener's (on any node, for `node:PORT`).
    private func checkStatsBind(
        _ bind: StatsBind, at node: YAMLNode, path: String, nodes: [ClusterNode], listeners: [ListenerConfig]
    ) -> StatsBind? {
        let endpoints = nodes.isEmpty ? [bind.endpoint(on: nil)].compactMap { $0 } : nodes.compactMap(bind.endpoint(on:))
        for endpoint in endpoints {
            if let listener = listeners.first(where: { $0.bind.conflicts(with: endpoint) }) {
                report(
                    "bind \(endpoint) clashes with listener \"\(listener.name)\" (\(listener.bind)): use another port",
                    at: node, path: path)
                return nil
            }
        }
        return bind
    }

    /// `auth: { user, password }`, both non-empty; the user name without `:` (RFC 7617).
    private func readStatsCredentials(_ node: YAMLNode, path: String) -> StatsCredentials? {
        guard let fields = fields(of: node, path: path, owner: node.position, as: .statsAuth) else {
            return nil
        }
        let user = required("user", in: fields).flatMap { readCredential($0, path: fields.path("user")) }
        let password = required("password", in: fields).flatMap { readCredential($0, path: fields.path("password")) }
        if let user, let userNode = fields["user"], user.contains(":") {
            report("a user name cannot contain \":\" (HTTP basic authentication)", at: userNode, path: fields.path("user"))
            return nil
        }
        guard let user, let password else { return nil }
        return StatsCredentials(user: user, password: password)
    }

    /// A user name or password: a non-empty string.
    private func readCredential(_ node: YAMLNode, path: String) -> String? {
        guard let text = readString(node, path: path) else { return nil }
        if text.isEmpty {
            report("must not be empty", at: node, path: path)
            return nil
        }
        return text
    }
}
