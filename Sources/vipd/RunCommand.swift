import ArgumentParser
import Logging
import VipdConfig
import VipdDaemon
import VipdSystemd

/// `vipd run`: the daemon.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the proxy and its health checks (SIGHUP reloads, SIGTERM drains and stops).",
        discussion: """
            The daemon: listeners, pools and their health checks, the VRRP instances, the monitor, \
            the stats listener and the control socket, from one configuration file that is the same \
            on every node. SIGHUP reloads listeners, pools and the stats listener without dropping \
            established connections (a bad file is rejected and the running configuration kept); \
            changes to cluster, vrrp, sync_groups, track_scripts and global.control_socket wait for a restart. \
            SIGTERM or SIGINT hands the VIP to another node (make-before-break), stops accepting and \
            hands the ssh sessions it still serves to a `vipd serve-sessions` process. Under systemd \
            (Type=notify) it reports READY, STATUS, RELOADING, STOPPING and WATCHDOG. Exit status: 0 \
            after a clean stop, 1 when the configuration is invalid or a listener cannot bind (another \
            process holding the port is named with its pid and program).
            """)

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
