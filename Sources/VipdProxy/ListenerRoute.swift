import VipdConfig

/// What a listener does with the next connection it accepts: its settings, its pool and its counters.
/// A reload swaps the route of a listener whose bind address is unchanged, without closing its socket.
public struct ListenerRoute: Sendable {
    public let config: ListenerConfig
    public let pool: PoolRuntime
    /// The listener's counters (kept across reloads by the engine's ``TrafficCounters``).
    public let traffic: ListenerTraffic

    public init(config: ListenerConfig, pool: PoolRuntime, traffic: ListenerTraffic = ListenerTraffic()) {
        self.config = config
        self.pool = pool
        self.traffic = traffic
    }
}
