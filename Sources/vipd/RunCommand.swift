import ArgumentParser
import Logging
import VipdConfig
import VipdDaemon
import VipdSystemd

/// `vipd run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy and its health checks (SIGHUP reloads, SIGTERM drains and stops).")

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "This host's node name in cluster.nodes (default: found from this host's addresses, then the hostname).")
    var node: String?

    func run() async throws {
        let config = try options.load()
        let level = Logger.Level(rawValue: config.global.logLevel) ?? .info
        LogSetup.bootstrap(level: level)
        let logger = Logger(label: "vipd")
        do {
            let thisNode = try NodeIdentity.resolve(in: config, explicit: node)
            if let thisNode {
                logger.notice("this host is node \(thisNode.name) (\(thisNode.address))")
            } else if !config.vrrp.isEmpty {
                throw ValidationError(
                    "this host is none of cluster.nodes (no address or hostname matches), so it cannot take part in VRRP; use --node NAME")
            } else if !config.nodes.isEmpty {
                logger.warning("this host is none of cluster.nodes (no address or hostname matches); use --node NAME")
            }
            try ListenerPreflight.run(listeners: config.listeners, logger: logger)
            try await DaemonRunner.run(configPath: options.config, config: config, node: thisNode, logger: logger)
        } catch {
            printError("vipd: \(error)")
            throw ExitCode(1)
        }
    }
}
