import VipdCore

/// The whole cluster's configuration, as read from one YAML file that is the same on every node.
///
/// Every collection keeps the order of the file, so logs and listings follow what the admin wrote.
public struct VipdConfiguration: Sendable, Equatable {
    /// The cluster's nodes (`cluster.nodes`), in file order.
    public var nodes: [ClusterNode]
    /// Process-wide settings (`global`).
    public var global: GlobalSettings
    /// The VRRP instances (`vrrp`), in file order.
    public var vrrp: [VRRPInstanceConfig]
    /// Commands tracked by VRRP instances (`track_scripts`), in file order.
    public var trackScripts: [TrackScriptConfig]
    /// The proxy's listening sockets (`listeners`), in file order.
    public var listeners: [ListenerConfig]
    /// The server pools (`pools`), in file order.
    public var pools: [PoolConfig]
    /// The stats listener (`stats`); nil when not configured.
    public var stats: StatsConfig? = nil
    /// VRRP instances that change state together (`sync_groups`), in file order.
    public var syncGroups: [SyncGroupConfig] = []

    public init(
        nodes: [ClusterNode], global: GlobalSettings, vrrp: [VRRPInstanceConfig] = [],
        trackScripts: [TrackScriptConfig] = [], listeners: [ListenerConfig], pools: [PoolConfig]
    ) {
        self.nodes = nodes
        self.global = global
        self.vrrp = vrrp
        self.trackScripts = trackScripts
        self.listeners = listeners
        self.pools = pools
    }

    /// The pool named `name`, if any.
    public func pool(named name: String) -> PoolConfig? { pools.first { $0.name == name } }
}

/// One host of the cluster (`cluster.nodes.NAME`).
public struct ClusterNode: Sendable, Equatable {
    /// The node's name, e.g. `ha0`.
    public var name: String
    /// The host's real address (where its own sshd listens).
    public var address: IPAddress
    /// A second, IPv6 address where the host's sshd also listens (`address6`), when `address` is IPv4.
    public var address6: IPAddress?
    /// VRRP priority 1...255 (`priority`, default 100); the highest wins, 255 is the addresses' owner.
    public var priority: Int

    public init(name: String, address: IPAddress, address6: IPAddress? = nil, priority: Int = 100) {
        self.name = name
        self.address = address
        self.address6 = address6
        self.priority = priority
    }

    /// Every address of the node: `address`, then `address6` when set.
    public var addresses: [IPAddress] { [address] + (address6.map { [$0] } ?? []) }
}

/// Process-wide settings (`global`).
extension VipdConfiguration {
    /// The names of the listeners bound on a virtual address of a VRRP instance (or on the wildcard
    /// address of a virtual address's family): the ones whose sessions can be kept across moves.
    public var listenersOnVirtualAddresses: [String] {
        let addresses = vrrp.flatMap { $0.virtualAddresses.map(\.address) }
        return listeners.filter { listener in addresses.contains { listener.receives($0) } }.map(\.name)
    }
}

extension ListenerConfig {
    /// Whether connections to `address` reach this listener: it is bound on it, or on the wildcard
    /// address of its family.
    public func receives(_ address: IPAddress) -> Bool {
        bind.address == address || (bind.address.isWildcard && bind.address.family == address.family)
    }
}

public struct GlobalSettings: Sendable, Equatable {
    /// How long SIGTERM waits for established connections before closing them (`drain_timeout`, default 30s).
    public var drainTimeout: Duration
    /// After a planned move of a virtual address, how long this node goes on serving the sessions it
    /// accepted on it before resetting them (`session_drain_limit`, default 24h; 0s resets at once).
    public var sessionDrainLimit: Duration
    /// Minimum log level (`log_level`: trace, debug, info, notice, warning, error, critical; default info).
    public var logLevel: String
    /// Where `vipd run` answers `vipd ctl` (`control_socket`, default `/run/vipd/vipd.sock`).
    public var controlSocket: String

    public init(
        drainTimeout: Duration = .seconds(30), sessionDrainLimit: Duration = .seconds(24 * 3600), logLevel: String = "info",
        controlSocket: String = "/run/vipd/vipd.sock"
    ) {
        self.drainTimeout = drainTimeout
        self.sessionDrainLimit = sessionDrainLimit
        self.logLevel = logLevel
        self.controlSocket = controlSocket
    }
}

/// How a listener treats the bytes it accepts.
public enum ListenerMode: String, Sendable, Equatable, CaseIterable {
    /// Byte-exact TCP forwarding (haproxy `mode tcp`).
    case tcp
    /// HTTP/1.1 reverse proxy: every request balanced on its own (haproxy `mode http`).
    case http
}

/// One listening socket of the proxy (`listeners.NAME`).
public struct ListenerConfig: Sendable, Equatable {
    public var name: String
    /// Address and port to bind (`bind`, e.g. `192.168.2.232:22` or `[::1]:2222`).
    public var bind: SocketEndpoint
    public var mode: ListenerMode
    /// Name of the pool that receives the connections (`pool`).
    public var pool: String
    /// Close a connection after this long without a byte either way (`idle_timeout`, default 1h).
    public var idleTimeout: Duration
    /// Give up connecting to one server after this long (`connect_timeout`, default 5s).
    public var connectTimeout: Duration
    /// Connections accepted at once; further ones wait in the kernel backlog (`maxconn`, default 2000).
    public var maxConnections: Int
    /// Further servers tried when connecting to the chosen one fails (`retries`, default 3).
    public var retries: Int
    /// Headers, limits and timeouts of `mode: http` (`http`); unused in `mode: tcp`.
    public var http: HTTPListenerSettings

    public init(
        name: String, bind: SocketEndpoint, mode: ListenerMode = .tcp, pool: String,
        idleTimeout: Duration = .seconds(3600), connectTimeout: Duration = .seconds(5),
        maxConnections: Int = 2000, retries: Int = 3, http: HTTPListenerSettings = .init()
    ) {
        self.name = name
        self.bind = bind
        self.mode = mode
        self.pool = pool
        self.idleTimeout = idleTimeout
        self.connectTimeout = connectTimeout
        self.maxConnections = maxConnections
        self.retries = retries
        self.http = http
    }
}

/// The algorithm that picks a server for a new connection (`balance`).
public enum BalanceAlgorithm: String, Sendable, Equatable, CaseIterable {
    /// Weighted round robin (the default).
    case roundrobin
    /// The server with the fewest active connections per weight.
    case leastconn
    /// A hash of the client address: the same client reaches the same server while the set is unchanged.
    case source
}

/// A group of servers behind listeners (`pools.NAME`).
public struct PoolConfig: Sendable, Equatable {
    public var name: String
    public var balance: BalanceAlgorithm
    public var servers: [ServerConfig]
    public var check: HealthCheckConfig
    /// Connections to the servers leave with the client's address (`transparent`, default false);
    /// every server is a cluster node, whose vipd sends the replies back to the proxying node.
    public var transparent: Bool

    public init(
        name: String, balance: BalanceAlgorithm = .roundrobin, servers: [ServerConfig], check: HealthCheckConfig = .init(),
        transparent: Bool = false
    ) {
        self.name = name
        self.balance = balance
        self.servers = servers
        self.check = check
        self.transparent = transparent
    }
}

/// One real server of a pool.
public struct ServerConfig: Sendable, Equatable {
    /// Name used in logs, e.g. `ha1` (the node name with `servers: nodes:22`).
    public var name: String
    public var endpoint: SocketEndpoint
    /// Relative share of new connections, 0...256 (0: only when no other is up); default 1.
    public var weight: Int
    /// Takes traffic only when no non-backup server of the pool is up.
    public var backup: Bool
    /// Whether the pool's health check runs against this server (`check`, default true).
    /// An unchecked server is always considered up.
    public var checked: Bool
    /// In a transparent pool: the server's node at the server's port in each IP family it has
    /// (`address`, `address6`), so that a client's connection reaches it in the client's family.
    public var nodeEndpoints: [SocketEndpoint] = []

    public init(name: String, endpoint: SocketEndpoint, weight: Int = 1, backup: Bool = false, checked: Bool = true) {
        self.name = name
        self.endpoint = endpoint
        self.weight = weight
        self.backup = backup
        self.checked = checked
    }
}

/// What a health check does (`pools.NAME.check.kind` and its options).
public enum HealthCheckKind: Sendable, Equatable {
    /// A TCP connect that succeeds within the timeout.
    case tcp
    /// Connect, read the first line within the timeout, match it against `pattern` (default `^SSH-2\.0-`).
    case sshBanner(pattern: String)
    /// An HTTP/1.1 request whose response status must be in `expectStatus`.
    case http(HTTPCheckSettings)
    /// A command run through `/bin/sh -c` with the server in its environment (`VIPD_POOL`,
    /// `VIPD_SERVER`, `VIPD_SERVER_ADDRESS`, `VIPD_SERVER_PORT`): exit status 0 within the timeout passes.
    case exec(command: String)

    /// The banner pattern used when `expect` is not given.
    public static let defaultSSHBannerPattern = #"^SSH-2\.0-"#
}

/// The request and expectation of an `http` check.
public struct HTTPCheckSettings: Sendable, Equatable {
    /// Request method (`method`, default GET).
    public var method: String
    /// Request path (`path`, default `/`).
    public var path: String
    /// Host header (`host`); the server's address when nil.
    public var host: String?
    /// Statuses that pass (`expect_status`, default [200]).
    public var expectStatus: [Int]

    public init(method: String = "GET", path: String = "/", host: String? = nil, expectStatus: [Int] = [200]) {
        self.method = method
        self.path = path
        self.host = host
        self.expectStatus = expectStatus
    }
}

/// A pool's health check (`pools.NAME.check`), with haproxy's inter/fall/rise semantics.
public struct HealthCheckConfig: Sendable, Equatable {
    /// nil when `kind: none`: every server counts as up.
    public var kind: HealthCheckKind?
    /// Time between two checks of one server (`interval`, default 2s, haproxy `inter`).
    public var interval: Duration
    /// How long one check may take (`timeout`, default 2s).
    public var timeout: Duration
    /// Consecutive failures that take an up server down (`fall`, default 3).
    public var fall: Int
    /// Consecutive successes that bring a down server up (`rise`, default 2).
    public var rise: Int

    public init(
        kind: HealthCheckKind? = .tcp, interval: Duration = .seconds(2), timeout: Duration = .seconds(2),
        fall: Int = 3, rise: Int = 2
    ) {
        self.kind = kind
        self.interval = interval
        self.timeout = timeout
        self.fall = fall
        self.rise = rise
    }
}
