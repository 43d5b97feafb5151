import VipdConfig

/// What a listener does with the next connection it accepts: its settings and its pool.
/// A reload swaps the route of a listener whose bind address is unchanged, without closing its socket.
public struct ListenerRoute: Sendable {
    public let config: ListenerConfig
    public let pool: PoolRuntime

    public init(config: ListenerConfig, pool: PoolRuntime) {
        self.config = config
        self.pool = pool
    }
}
