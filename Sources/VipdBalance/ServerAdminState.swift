/// What the operator wants of one server (`vipd ctl ready|drain|maint`), independent of its health.
public enum ServerAdminState: String, Sendable, Equatable, CaseIterable, Codable {
    /// Takes new connections while its checks pass (the state every server starts in).
    case ready
    /// Takes no new connections; established ones continue; checks go on.
    case drain
    /// Out of the pool: no new connections, and its health checks stop.
    case maint

    /// Whether the balancer may choose the server for a new connection (when it is up).
    public var takesNewConnections: Bool { self == .ready }

    /// Whether the server's health checks run.
    public var isChecked: Bool { self != .maint }
}
