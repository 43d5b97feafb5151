import Logging
import NIOCore
import VipdConfig
import VipdCore
import VipdHealth

/// The proxy as a whole: pools with their health monitors, and listeners routing to them.
///
/// `start` brings up a configuration; `reload` moves to a new one without dropping established
/// connections: unchanged pools keep their health state, listeners whose bind address is unchanged
/// keep their socket and only switch routes.
public actor ProxyEngine {
    private struct ActivePool {
        let runtime: PoolRuntime
        let monitor: PoolHealthMonitor
    }

    private let group: any EventLoopGroup
    private let logger: Logger
    /// Every open client connection.
    public nonisolated let connections: ConnectionTracker
    /// Which pools have a server up, for VRRP pool tracking.
    public nonisolated let availability = PoolAvailability()
    private var pools: [String: ActivePool] = [:]
    private var listeners: [SocketEndpoint: ProxyListener] = [:]

    public init(group: any EventLoopGroup, logger: Logger) {
        self.group = group
        self.logger = logger
        self.connections = ConnectionTracker(eventLoop: group.next())
    }

    /// Brings up `config`: runs the first health checks, then binds every listener.
    /// Throws (after releasing what it opened) when a listener cannot bind.
    public func start(_ config: VipdConfiguration) async throws {
        let failures = await apply(config)
        if let first = failures.first {
            await stopAccepting()
            stopMonitors()
            throw first
        }
    }

    /// Moves to `config`; a listener that cannot bind is logged and left out, the rest carry on.
    /// Returns the bind errors.
    @discardableResult
    public func reload(_ config: VipdConfiguration) async -> [any Error] {
        await apply(config)
    }

    /// The listeners bound now, by address.
    public var boundListeners: [SocketEndpoint: ProxyListener] { listeners }

    /// The pool runtimes, by name.
    public var poolRuntimes: [String: PoolRuntime] { pools.mapValues(\.runtime) }

    /// Each pool's servers' health as its monitor reports it (state, last check, durations), by pool name.
    public var poolHealth: [String: [ServerStatus]] { pools.mapValues(\.monitor.snapshot) }

    /// Closes every listening socket; established connections continue.
    public func stopAccepting() async {
        for listener in listeners.values {
            await listener.close()
        }
        listeners = [:]
    }

    /// Tells established connections to finish (``ConnectionTracker/quiesce(whenAllClosed:)``) and
    /// waits up to `timeout` for the last one to close, then closes what is left and stops the
    /// health checks. Returns the number of connections closed by force.
    public func drain(timeout: Duration) async -> Int {
        let loop = group.next()
        let allClosed = loop.makePromise(of: Void.self)
        let open = connections.quiesce(whenAllClosed: allClosed)
        if open > 0 {
            logger.notice("draining: \(open) connection(s) still open")
        }
        let connections = connections
        let timeUp = loop.scheduleTask(in: TimeAmount(timeout)) { connections.closeAll().count }
        try? await allClosed.futureResult.get()
        timeUp.cancel()
        let forced = (try? await timeUp.futureResult.get()) ?? 0
        if forced > 0 {
            logger.warning("drain time over: closing \(forced) connection(s)")
        }
        stopMonitors()
        return forced
    }

    /// Takes the servers named `serverName` down in every pool at once, e.g. the servers of a
    /// node whose VRRP adverts stopped; they come back through normal rise checks.
    public func forceDown(serverNamed serverName: String, reason: String) -> Int {
        pools.values.reduce(0) { $0 + $1.monitor.forceDown(serverNamed: serverName, reason: reason) }
    }

    private func stopMonitors() {
        for pool in pools.values { pool.monitor.stop() }
        pools = [:]
    }

    private func apply(_ config: VipdConfiguration) async -> [any Error] {
        let newPools = await activatePools(config.pools)
        let retiredPools = pools.filter { name, pool in newPools[name]?.runtime !== pool.runtime }
        pools = newPools
        var failures: [any Error] = []
        let wanted = Dictionary(config.listeners.map { ($0.bind, $0) }, uniquingKeysWith: { first, _ in first })
        for (endpoint, listener) in listeners where wanted[endpoint] == nil {
            await listener.close()
            listeners[endpoint] = nil
            logger.notice("listener on \(endpoint) closed")
        }
        for listenerConfig in config.listeners {
            guard let pool = newPools[listenerConfig.pool] else { continue }
            let route = ListenerRoute(
                config: listenerConfig, pool: pool.runtime, traffic: connections.traffic.listener(listenerConfig.name))
            let existing = listeners[listenerConfig.bind]
            if let existing, existing.mode == listenerConfig.mode {
                existing.currentRoute = route
                continue
            }
            do {
                // A listener changing mode binds anew (both are bound for a moment: SO_REUSEPORT), then its old sockets close.
                let listener = try await ProxyListener.bind(route: route, group: group, tracker: connections, logger: logger)
                await existing?.close()
                listeners[listenerConfig.bind] = listener
                logger.notice(
                    "listener \(listenerConfig.name) on \(listenerConfig.bind) -> pool \(listenerConfig.pool) (\(listenerConfig.mode.rawValue))",
                    metadata: ["listener": "\(listenerConfig.name)", "pool": "\(listenerConfig.pool)"])
            } catch {
                logger.error(
                    "listener \(listenerConfig.name) cannot bind \(listenerConfig.bind): \(error)",
                    metadata: ["listener": "\(listenerConfig.name)"])
                failures.append(ListenerBindError(listener: listenerConfig.name, endpoint: listenerConfig.bind, underlying: error))
            }
        }
        for pool in retiredPools.values { pool.monitor.stop() }
        return failures
    }

    /// Keeps pools whose configuration is unchanged; starts the others and waits for their first checks.
    private func activatePools(_ configs: [PoolConfig]) async -> [String: ActivePool] {
        var result: [String: ActivePool] = [:]
        var starting: [EventLoopFuture<Void>] = []
        for config in configs {
            if let existing = pools[config.name], existing.runtime.config == config {
                result[config.name] = existing
                continue
            }
            let runtime = PoolRuntime(config: config, traffic: connections.traffic)
            let availability = self.availability
            let monitor = PoolHealthMonitor(pool: config, group: group, logger: logger) { index, isUp in
                runtime.setServer(index, up: isUp)
                availability.update(pool: config.name, hasServerUp: runtime.hasServerUp)
            }
            runtime.attach(healthChecks: monitor)
            if let previous = pools[config.name]?.runtime {
                let kept = runtime.takeOverOperatorSettings(from: previous)
                if !kept.isEmpty {
                    logger.notice(
                        "pool \(config.name) changed: kept what vipd ctl set for \(kept.joined(separator: ", "))",
                        metadata: ["pool": "\(config.name)"])
                }
            }
            starting.append(monitor.start())
            result[config.name] = ActivePool(runtime: runtime, monitor: monitor)
        }
        for future in starting {
            try? await future.get()
        }
        for (name, pool) in result {
            availability.update(pool: name, hasServerUp: pool.runtime.hasServerUp)
        }
        return result
    }
}

/// A listener could not bind its address.
public struct ListenerBindError: Error, CustomStringConvertible {
    public let listener: String
    public let endpoint: SocketEndpoint
    public let underlying: any Error

    public var description: String {
        "listener \(listener) cannot bind \(endpoint): \(underlying)"
    }
}
