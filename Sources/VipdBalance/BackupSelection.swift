/// What the balancer needs to know about one server of a pool to decide whether it may be used.
public struct ServerAvailability: Sendable, Equatable {
    /// Position of the server in its pool.
    public var index: Int
    /// Whether the server is up (health checks passed, or unchecked).
    public var isUp: Bool
    /// Whether the server is a backup (`backup: true`).
    public var isBackup: Bool

    public init(index: Int, isUp: Bool, isBackup: Bool = false) {
        self.index = index
        self.isUp = isUp
        self.isBackup = isBackup
    }
}

/// haproxy's backup rule: backups take traffic only when no primary server is up.
public enum BackupSelection {
    /// The indices of the servers that may receive new connections, in pool order: the primaries
    /// that are up, or, when none is, the backups that are up (all of them, like haproxy with
    /// `option allbackups`). Empty when nothing is up.
    public static func eligible(_ servers: [ServerAvailability]) -> [Int] {
        let primaries = servers.filter { $0.isUp && !$0.isBackup }.map(\.index)
        if !primaries.isEmpty { return primaries }
        return servers.filter { $0.isUp && $0.isBackup }.map(\.index)
    }

    /// Whether the pool is running on its backups (no primary up, at least one backup up).
    public static func isUsingBackups(_ servers: [ServerAvailability]) -> Bool {
        !servers.contains { $0.isUp && !$0.isBackup } && servers.contains { $0.isUp && $0.isBackup }
    }
}
