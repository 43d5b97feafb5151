/// What the balancer needs to know about one server of a pool to decide whether it may be used.
public struct ServerAvailability: Sendable, Equatable {
    /// Position of the server in its pool.
    public var index: Int
    /// Whether the server is up (health checks passed, or unchecked).
    public var isUp: Bool
    /// Whether the server is a backup (`backup: true`).
    public var isBackup: Bool
    /// The operator's state for it; only `ready` servers take new connections.
    public var adminState: ServerAdminState

    public init(index: Int, isUp: Bool, isBackup: Bool = false, adminState: ServerAdminState = .ready) {
        self.index = index
        self.isUp = isUp
        self.isBackup = isBackup
        self.adminState = adminState
    }

    /// Up and admitted by the operator: may take a new connection.
    var isUsable: Bool { isUp && adminState.takesNewConnections }
}

/// haproxy's backup rule: backups take traffic only when no primary server is usable (up and
/// `ready`: a drained or maintained primary counts as unusable, as in haproxy).
public enum BackupSelection {
    /// The indices of the servers that may receive new connections, in pool order: the usable
    /// primaries, or, when none is, the usable backups (all of them, like haproxy with
    /// `option allbackups`). Empty when nothing is usable.
    public static func eligible(_ servers: [ServerAvailability]) -> [Int] {
        var indices: [Int] = []
        eligible(servers, into: &indices)
        return indices
    }

    /// ``eligible(_:)`` written into `indices` (emptied first, its storage kept), for a caller that
    /// picks on every request and reuses one array.
    public static func eligible(_ servers: [ServerAvailability], into indices: inout [Int]) {
        indices.removeAll(keepingCapacity: true)
        for server in servers where server.isUsable && !server.isBackup { indices.append(server.index) }
        if !indices.isEmpty { return }
        for server in servers where server.isUsable && server.isBackup { indices.append(server.index) }
    }

    /// Whether the pool is running on its backups (no primary usable, at least one backup usable).
    public static func isUsingBackups(_ servers: [ServerAvailability]) -> Bool {
        !servers.contains { $0.isUsable && !$0.isBackup } && servers.contains { $0.isUsable && $0.isBackup }
    }
}
