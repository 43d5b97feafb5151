import VipdBalance
import VipdVRRP

/// One server as `vipd ctl servers` and `status` show it.
public struct ServerReport: Sendable, Equatable, Codable {
    public var pool: String
    public var name: String
    /// `ADDRESS:PORT`.
    public var address: String
    public var backup: Bool
    /// `up`, `down` or `unknown`, from the health checks (a server in maintenance is `down`).
    public var health: String
    /// The checks' counter (`3/3 UP`, `1/2 DOWN`), `not checked`, or `checks stopped (maint)`.
    public var check: String
    /// The last check result's detail, when there is one.
    public var lastCheck: String?
    public var admin: ServerAdminState
    /// The weight new connections are balanced with now.
    public var weight: Int
    /// The weight in the configuration file.
    public var configuredWeight: Int
    /// Connections established through this server now.
    public var activeConnections: Int

    public init(
        pool: String, name: String, address: String, backup: Bool, health: String, check: String, lastCheck: String?,
        admin: ServerAdminState, weight: Int, configuredWeight: Int, activeConnections: Int
    ) {
        self.pool = pool
        self.name = name
        self.address = address
        self.backup = backup
        self.health = health
        self.check = check
        self.lastCheck = lastCheck
        self.admin = admin
        self.weight = weight
        self.configuredWeight = configuredWeight
        self.activeConnections = activeConnections
    }

    /// Whether the server takes new connections now: up and `ready`.
    public var takesNewConnections: Bool { health == "up" && admin.takesNewConnections }
}

/// One pool: its balancer and servers.
public struct PoolReport: Sendable, Equatable, Codable {
    public var name: String
    public var balance: String
    public var servers: [ServerReport]

    public init(name: String, balance: String, servers: [ServerReport]) {
        self.name = name
        self.balance = balance
        self.servers = servers
    }
}

/// One finding of the daemon's advertisement monitor.
public struct FindingReport: Sendable, Equatable, Codable {
    /// `critical`, `warning` or `notice`.
    public var severity: String
    public var kind: String
    public var summary: String
    /// When it began, ISO 8601 UTC.
    public var since: String
    public var fix: String

    public init(severity: String, kind: String, summary: String, since: String, fix: String) {
        self.severity = severity
        self.kind = kind
        self.summary = summary
        self.since = since
        self.fix = fix
    }
}

/// Another node as its stats listener last answered this one (`stats.peers`).
public struct PeerReport: Sendable, Equatable, Codable {
    public var node: String
    /// Where its stats listener was asked.
    public var address: String
    /// Why its last answer did not come; nil when it answered.
    public var error: String?
    /// When it last answered, ISO 8601 UTC; nil: never since this node started.
    public var lastSeen: String?
    /// Its VRRP instances as of `lastSeen`.
    public var instances: [VRRPInstanceStatus]

    public init(node: String, address: String, error: String?, lastSeen: String?, instances: [VRRPInstanceStatus]) {
        self.node = node
        self.address = address
        self.error = error
        self.lastSeen = lastSeen
        self.instances = instances
    }
}

/// `vipd ctl status`: this node, its VRRP instances, the other nodes' as they answered, its pools
/// and the monitor's findings.
public struct StatusReport: Sendable, Equatable, Codable {
    /// This node's name, nil when the file has no cluster.
    public var node: String?
    public var configPath: String
    public var instances: [VRRPInstanceStatus]
    /// The other nodes, when the stats listener asks them (`stats.peers`).
    public var peers: [PeerReport]
    /// What this node's and the peers' VRRP views say together (two masters, none), in words.
    public var clusterWarnings: [String]
    public var pools: [PoolReport]
    /// Nil when the monitor does not run (no VRRP, or libpcap could not open the interfaces).
    public var findings: [FindingReport]?

    public init(
        node: String?, configPath: String, instances: [VRRPInstanceStatus], peers: [PeerReport] = [], clusterWarnings: [String] = [],
        pools: [PoolReport], findings: [FindingReport]?
    ) {
        self.node = node
        self.configPath = configPath
        self.instances = instances
        self.peers = peers
        self.clusterWarnings = clusterWarnings
        self.pools = pools
        self.findings = findings
    }
}
