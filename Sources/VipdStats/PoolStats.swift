/// One pool: how it balances, how it checks, and its servers.
public struct PoolStats: Codable, Sendable, Equatable {
    public var name: String
    /// `roundrobin`, `leastconn` or `source`.
    public var balance: String
    /// The check kind: `ssh-banner`, `tcp`, `http`, `exec` or `none`.
    public var check: String
    /// The listeners sending to this pool.
    public var listeners: [String]
    /// The servers, in configuration order.
    public var servers: [ServerStats]

    public init(name: String, balance: String, check: String, listeners: [String], servers: [ServerStats]) {
        self.name = name
        self.balance = balance
        self.check = check
        self.listeners = listeners
        self.servers = servers
    }

    /// Servers that pass their checks now (drained ones included).
    public var serversUp: Int { servers.filter(\.isUp).count }

    /// Servers that take new connections now: up and not drained (what `vipd ctl status` counts).
    public var serversTakingNewConnections: Int { servers.filter(\.takesNewConnections).count }

    /// Connections or requests refused for want of a server, by every listener of the pool.
    public func noServerRefusals(listeners: [ListenerStats]) -> Int {
        listeners.filter { $0.pool == name }.map(\.noServer).reduce(0, +)
    }
}
