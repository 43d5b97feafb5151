import Dispatch
import Logging
import VipdConfig
import VipdCore
import VipdMonitor
import VipdMonitorSession
import VipdSpeaker

/// The advertisement monitor inside `vipd run`: captures on the VRRP interfaces, logs each finding
/// once when it begins and once when it clears (never per packet), and compares the wire with the
/// speaker's VRRP sockets to catch this node's own firewall dropping protocol 112. A finding that
/// blames this node's firewall gets its fix from this host's ruleset (`LocalFirewallFix`).
final class DaemonMonitor: Sendable {
    private let monitor: LiveMonitor
    private let firewallFix: LocalFirewallFix
    private let sampler: Task<Void, Never>

    /// How often the speaker's socket counters are compared with the wire.
    private static let samplingInterval = Duration.milliseconds(500)

    /// Why the monitor does not run on a node without VRRP instances.
    static let noVRRPReason = "no VRRP instance runs on this node, so there are no VRRP advertisements to watch"

    /// Starts the monitor, or logs why it cannot run (no libpcap permission, say) and returns that
    /// reason instead (for the stats page): the daemon keeps working without it.
    static func start(
        config: VipdConfiguration, node: ClusterNode, speaker: VRRPSpeaker, logger: Logger
    ) async -> Result<DaemonMonitor, NotRunning> {
        let receipts = await speaker.socketReceipts()
        let settings = MonitorSettings(configuration: config, localAddresses: Set(receipts.map(\.source)))
        let interfaces = Array(Set(config.vrrp.map(\.interface))).sorted()
        let firewallFix = LocalFirewallFix(config: config, node: node)
        // Events are logged in order, off the analyzer's lock: a fix may read this host's firewall first.
        let logQueue = DispatchQueue(label: "vipd.monitor.log")
        do {
            let monitor = try LiveMonitor(
                interfaces: interfaces, settings: settings,
                onFailure: { error in logger.error("monitor: \(error); capturing again when the interface returns") }
            ) { event, _ in logQueue.async { Self.log(event, firewallFix: firewallFix, logger: logger) } }
            monitor.start()
            logger.info("monitor: watching VRRP, ARP and NA on \(interfaces.joined(separator: ", "))")
            return .success(DaemonMonitor(monitor: monitor, firewallFix: firewallFix, speaker: speaker))
        } catch {
            logger.warning("monitor: not running, split brain will not be diagnosed on this node: \(error)")
            return .failure(NotRunning(reason: "it cannot capture: \(error)"))
        }
    }

    /// Why the monitor does not run, in words.
    struct NotRunning: Error {
        let reason: String
    }

    private init(monitor: LiveMonitor, firewallFix: LocalFirewallFix, speaker: VRRPSpeaker) {
        self.monitor = monitor
        self.firewallFix = firewallFix
        sampler = Task {
            while !Task.isCancelled {
                for receipt in await speaker.socketReceipts() {
                    monitor.recordSocketReceipts(
                        SocketKey(interface: receipt.config.interface, family: receipt.config.family), total: receipt.received)
                }
                try? await Task.sleep(for: Self.samplingInterval)
            }
        }
    }

    /// The findings in force now, most severe first.
    var findings: [Finding] { monitor.withAnalyzer { $0.currentFindings }.map(firewallFix.applied) }

    /// Stops sampling and capturing.
    func stop() async {
        sampler.cancel()
        await monitor.stop()
    }

    /// A finding's log metadata: its kind and, when it concerns one, the VRRP group.
    private static func metadata(of finding: Finding) -> Logger.Metadata {
        var metadata: Logger.Metadata = ["finding": "\(finding.kind.rawValue)"]
        if let group = finding.group { metadata["vrrp_group"] = "\(group)" }
        return metadata
    }

    /// One log record per finding onset and clearance; groups and master changes at debug level.
    private static func log(_ event: MonitorEvent, firewallFix: LocalFirewallFix, logger: Logger) {
        switch event {
        case .findingOnset(let onset):
            let finding = firewallFix.applied(to: onset)
            let level: Logger.Level = switch finding.severity {
            case .critical: .error
            case .warning: .warning
            case .notice: .notice
            }
            let evidence = finding.evidence.map { "; evidence: \($0)" }.joined()
            logger.log(level: level, "monitor: \(finding.summary)\(evidence); fix: \(finding.fix)", metadata: metadata(of: finding))
        case .findingCleared(let finding, let at):
            let place = finding.group.map { " on \($0)" } ?? ""
            logger.notice(
                "monitor: cleared \(finding.kind.rawValue)\(place) after \((at - finding.since).secondsText)",
                metadata: metadata(of: finding))
        case .groupDiscovered(let key, _):
            logger.debug("monitor: VRRP group \(key) seen on the wire")
        case .masterChanged(let key, let from, let to, _):
            logger.debug("monitor: \(key) master \(from.map(\.description) ?? "none") -> \(to)")
        }
    }
}
