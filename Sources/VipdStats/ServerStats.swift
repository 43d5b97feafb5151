/// One server of a pool: health, last check, traffic, errors.
public struct ServerStats: Codable, Sendable, Equatable {
    /// The outcome of the most recent health check.
    public struct CheckResult: Codable, Sendable, Equatable {
        public var passed: Bool
        /// What happened, e.g. `SSH banner "SSH-2.0-OpenSSH_9.2p1"` or `connection refused`.
        public var detail: String
        public var durationSeconds: Double
        /// When it finished, in seconds since the Unix epoch.
        public var at: Double

        public init(passed: Bool, detail: String, durationSeconds: Double, at: Double) {
            self.passed = passed
            self.detail = detail
            self.durationSeconds = durationSeconds
            self.at = at
        }
    }

    /// The states a server can be in, as `state` spells them.
    public static let states = ["UP", "DOWN", "UNKNOWN"]
    /// What an operator can set with `vipd ctl`, as `adminState` spells it.
    public static let adminStates = ["ready", "drain", "maint"]

    public var name: String
    /// `ADDRESS:PORT`.
    public var address: String
    /// The weight new connections are balanced by now (`vipd ctl weight` changes it).
    public var weight: Int
    /// The weight in the configuration.
    public var configuredWeight: Int
    /// One of ``adminStates``: `drain` takes no new connections, `maint` is out with its checks stopped.
    public var adminState: String
    public var backup: Bool
    /// False when the server is not health checked (always up).
    public var checked: Bool
    /// One of ``states``.
    public var state: String
    /// haproxy's counter text: `3/3 UP`, `1/2 DOWN`, `not checked`.
    public var progress: String
    public var lastCheck: CheckResult?
    /// Every check's duration, as a histogram.
    public var checkDurations: HistogramStats
    /// Connections (`mode: tcp`) or requests (`mode: http`) open now.
    public var activeConnections: Int
    /// Client connections joined to the server (`mode: tcp`).
    public var totalConnections: Int
    /// HTTP requests given to the server (`mode: http`).
    public var totalRequests: Int
    /// Bytes from clients to the server.
    public var bytesIn: Int
    /// Bytes from the server to clients.
    public var bytesOut: Int
    /// New connections per second, over the last few seconds.
    public var connectionRate: Double
    /// Bytes per second each way, over the last few seconds.
    public var bytesInRate: Double
    public var bytesOutRate: Double
    /// Failed connection attempts (haproxy's `econ`).
    public var connectErrors: Int
    /// Connections or requests the server failed that went to another server (haproxy's `wretr`).
    public var retries: Int
    /// Connections the server took after another server failed them (haproxy's `wredis`).
    public var redispatches: Int
    /// Responses the server broke off: closed before or during the response (part of haproxy's `eresp`).
    public var responseErrors: Int
    /// Requests the server did not answer within the server timeout (answered 504).
    public var timeouts: Int
    /// The server's HTTP responses by status class (`1xx` … `5xx`, `other`).
    public var httpResponses: [String: Int]
    /// When the server last started or stopped taking traffic, in seconds since the Unix epoch (nil
    /// before its first check).
    public var lastChange: Double?
    /// How often it went from up to down (haproxy's `chkdown`).
    public var downCount: Int
    /// How long it was down in all, in seconds (haproxy's `downtime`).
    public var downtimeSeconds: Double

    public init(
        name: String, address: String, weight: Int, backup: Bool, checked: Bool, state: String, progress: String,
        lastCheck: CheckResult?, checkDurations: HistogramStats, activeConnections: Int, totalConnections: Int,
        bytesIn: Int, bytesOut: Int, connectionRate: Double, bytesInRate: Double, bytesOutRate: Double,
        adminState: String = "ready", configuredWeight: Int? = nil, totalRequests: Int = 0, connectErrors: Int = 0,
        retries: Int = 0, redispatches: Int = 0, responseErrors: Int = 0, timeouts: Int = 0, httpResponses: [String: Int] = [:],
        lastChange: Double? = nil, downCount: Int = 0, downtimeSeconds: Double = 0
    ) {
        self.name = name
        self.address = address
        self.weight = weight
        self.configuredWeight = configuredWeight ?? weight
        self.adminState = adminState
        self.backup = backup
        self.checked = checked
        self.state = state
        self.progress = progress
        self.lastCheck = lastCheck
        self.checkDurations = checkDurations
        self.activeConnections = activeConnections
        self.totalConnections = totalConnections
        self.bytesIn = bytesIn
        self.bytesOut = bytesOut
        self.connectionRate = connectionRate
        self.bytesInRate = bytesInRate
        self.bytesOutRate = bytesOutRate
        self.totalRequests = totalRequests
        self.connectErrors = connectErrors
        self.retries = retries
        self.redispatches = redispatches
        self.responseErrors = responseErrors
        self.timeouts = timeouts
        self.httpResponses = httpResponses
        self.lastChange = lastChange
        self.downCount = downCount
        self.downtimeSeconds = downtimeSeconds
    }

    /// Whether the server takes new connections: up and `ready` (what `vipd ctl status` counts).
    public var takesNewConnections: Bool { isUp && adminState == "ready" }

    /// Whether the server takes traffic.
    public var isUp: Bool { state == "UP" }
}
