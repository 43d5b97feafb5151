import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import VipdConfig
import VipdProxy
import VipdSystemd

/// Wires `vipd run` together: the event loops, the proxy engine, the link to systemd and the service group.
public enum DaemonRunner {
    /// Runs until SIGTERM/SIGINT and the drain are over. Throws when the first start fails
    /// (for example a listener cannot bind).
    /// - Parameter node: this host's node; required when the configuration has VRRP instances.
    public static func run(configPath: String, config: VipdConfiguration, node: ClusterNode?, logger: Logger) async throws {
        let openFiles = OpenFileLimit.raiseToHardLimit()
        logger.info("open file limit \(openFiles): room for about \(openFiles / 2) proxied connections")
        let group = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        let engine = ProxyEngine(group: group, logger: logger)
        let serviceManager = ServiceManagerLink(notifier: ServiceNotifier(), engine: engine, group: group, logger: logger)
        let daemon = ProxyDaemon(
            configPath: configPath, config: config, node: node, engine: engine, serviceManager: serviceManager, logger: logger)
        let serviceGroup = ServiceGroup(
            services: [daemon], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        do {
            try await serviceGroup.run()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}
