import Logging
import VipdConfig
import VipdCore
import VipdStats

/// The stats listener in force, replaced when a reload changes the `stats` section: other
/// credentials apply at once on the same socket; a new bind is bound before the old one closes, and
/// the old one stays when the new one cannot bind (unless they share the port, where the old one
/// must close first); no section closes it.
actor StatsListenerSlot {
    private let node: ClusterNode?
    private let logger: Logger
    private let snapshot: @Sendable () async -> StatsSnapshot
    private var current: (settings: StatsConfig, endpoint: SocketEndpoint, server: StatsServer)?

    init(node: ClusterNode?, logger: Logger, snapshot: @escaping @Sendable () async -> StatsSnapshot) {
        self.node = node
        self.logger = logger
        self.snapshot = snapshot
    }

    /// Serves `settings` from now on (nil: no stats listener). Failures are logged; vipd runs on.
    func apply(_ settings: StatsConfig?) async {
        guard settings != current?.settings else { return }
        guard let settings else {
            await close()
            logger.notice("stats listener closed: the file has no stats section any more")
            return
        }
        guard let endpoint = settings.bind.endpoint(on: node) else {
            logger.error("stats: bind \(settings.bind) needs to know this node (use --node NAME); running without the stats page")
            await close()
            return
        }
        if let current, current.endpoint == endpoint {
            current.server.setCredentials(settings.credentials)
            self.current = (settings, endpoint, current.server)
            logger.notice("stats on http://\(endpoint)/: \(Self.describe(settings.credentials)) from now on")
            return
        }
        guard let server = await bind(endpoint, credentials: settings.credentials) else { return }
        await close()
        current = (settings, endpoint, server)
        logger.notice("stats on http://\(endpoint)/ (also /stats, stats.json, metrics), \(Self.describe(settings.credentials))")
    }

    /// The `stats` section in force; nil when there is no listener.
    var settings: StatsConfig? { current?.settings }

    /// Stops listening (the graceful shutdown).
    func close() async {
        await current?.server.close()
        current = nil
    }

    /// A server on `endpoint`; nil (logged) when it cannot bind. When the running listener holds the
    /// same port (a wildcard and a specific address), it is closed first and the bind tried again.
    private func bind(_ endpoint: SocketEndpoint, credentials: StatsCredentials?) async -> StatsServer? {
        do {
            return try await StatsServer.start(endpoint: endpoint, credentials: credentials, logger: logger, snapshot: snapshot)
        } catch {
            guard let current, current.endpoint.port == endpoint.port else {
                let running = current.map { "; http://\($0.endpoint)/ stays" } ?? "; running without the stats page"
                logger.error("stats listener cannot bind \(endpoint): \(error)\(running)")
                return nil
            }
            await close()
            return await bind(endpoint, credentials: credentials)
        }
    }

    private static func describe(_ credentials: StatsCredentials?) -> String {
        credentials == nil ? "no authentication" : "basic authentication"
    }
}
