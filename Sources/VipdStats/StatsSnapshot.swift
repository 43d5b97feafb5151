import VipdVRRP

/// Everything the stats listener shows, as this node knows it at one instant: its VRRP instances,
/// its listeners, pools and servers with their counters, the monitor's findings, the daemon process,
/// and the other nodes' VRRP views. The page, `/stats.json`, `/stats.csv` and `/metrics` are
/// renderings of one snapshot; the daemon builds it, the renderers never read a clock.
public struct StatsSnapshot: Codable, Sendable, Equatable {
    /// This node's name (`cluster.nodes`), nil when the file has no cluster.
    public let node: String?
    /// When the snapshot was taken, in seconds since the Unix epoch.
    public var generatedAt: Double
    /// Seconds since the daemon started.
    public var uptimeSeconds: Double
    /// This node's VRRP instances, in configuration order.
    public let vrrp: [VRRPInstanceStatus]
    /// The pools, in configuration order.
    public var pools: [PoolStats]
    /// The listeners, by name.
    public var listeners: [ListenerStats]
    /// Whether the advertisement monitor runs on this node.
    public var monitorRunning: Bool
    /// Why the monitor does not run, in words (no VRRP instance here, or why it could not start); nil
    /// while it runs.
    public var monitorNotRunningReason: String?
    /// The daemon process (memory, CPU, file descriptors); nil where `/proc` cannot be read.
    public var process: ProcessStats?
    /// The monitor's findings in force, most severe first.
    public var findings: [FindingStats]
    /// The other nodes, as their stats listeners last answered (`stats.peers`), in file order.
    public let peers: [PeerStats]
    /// What this node's and the peers' VRRP views say together (two masters, none, held nodes): derived from
    /// `node`, `vrrp` and `peers` when the snapshot is made, kept for `/stats.json`.
    public let clusterWarnings: [ClusterWarning]

    public init(
        node: String?, generatedAt: Double, uptimeSeconds: Double, vrrp: [VRRPInstanceStatus], pools: [PoolStats],
        monitorRunning: Bool, findings: [FindingStats], peers: [PeerStats] = [], listeners: [ListenerStats] = [],
        monitorNotRunningReason: String? = nil, process: ProcessStats? = nil
    ) {
        self.node = node
        self.generatedAt = generatedAt
        self.uptimeSeconds = uptimeSeconds
        self.vrrp = vrrp
        self.pools = pools
        self.listeners = listeners
        self.monitorRunning = monitorRunning
        self.monitorNotRunningReason = monitorNotRunningReason
        self.process = process
        self.findings = findings
        self.peers = peers
        self.clusterWarnings = ClusterWarning.warnings(node: node, vrrp: vrrp, peers: peers)
    }
}
