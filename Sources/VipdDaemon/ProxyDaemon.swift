import Logging
import ServiceLifecycle
import UnixSignals
import VipdConfig
import VipdProxy

/// `vipd run` as a service: starts the proxy, reloads the file on SIGHUP (a bad file is rejected
/// and the running configuration kept), and on graceful shutdown (SIGTERM, SIGINT) stops accepting,
/// lets established connections finish up to `global.drain_timeout`, then returns.
public struct ProxyDaemon: Service {
    private let configPath: String
    private let initialConfig: VipdConfiguration
    private let engine: ProxyEngine
    private let logger: Logger

    public init(configPath: String, config: VipdConfiguration, engine: ProxyEngine, logger: Logger) {
        self.configPath = configPath
        self.initialConfig = config
        self.engine = engine
        self.logger = logger
    }

    public func run() async throws {
        var config = initialConfig
        try await engine.start(config)
        logger.notice("vipd ready: \(config.listeners.count) listener(s), \(config.pools.count) pool(s) from \(configPath)")
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        for await _ in hangups.cancelOnGracefulShutdown() {
            config = await reload(running: config)
        }
        logger.notice("shutting down: no new connections, draining up to \(config.global.drainTimeout)")
        await engine.stopAccepting()
        _ = await engine.drain(timeout: config.global.drainTimeout)
        logger.notice("vipd stopped")
    }

    /// Loads the file again; returns the configuration that runs afterwards.
    private func reload(running: VipdConfiguration) async -> VipdConfiguration {
        logger.notice("SIGHUP: reloading \(configPath)")
        let fresh: VipdConfiguration
        do {
            fresh = try ConfigLoader.load(contentsOf: configPath)
        } catch {
            logger.error("reload rejected, the running configuration stays:\n\(error)")
            return running
        }
        let failures = await engine.reload(fresh)
        if failures.isEmpty {
            logger.notice("reload done: \(fresh.listeners.count) listener(s), \(fresh.pools.count) pool(s)")
        } else {
            logger.error("reload done with \(failures.count) listener(s) not bound")
        }
        return fresh
    }
}
