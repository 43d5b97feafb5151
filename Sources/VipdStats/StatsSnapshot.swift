/// Everything the stats listener shows, as this node knows it at one instant: its VRRP instances,
/// its pools and servers, the monitor's findings, and the other nodes' VRRP views. The page, `/stats.json` and `/metrics` are
/// renderings of one snapshot; the daemon builds it, the renderers never read a clock.
public struct StatsSnapshot: Codable, Sendable, Equatable {
    /// This node's name (`cluster.nodes`), nil when the file has no cluster.
    public let node: String?
    /// When the snapshot was taken, in seconds since the Unix epoch.
    public var generatedAt: Double
    /// Seconds since the daemon started.
    public var uptimeSeconds: Double
    /// This node's VRRP instances, in configuration order.
    public let vrrp: [VRRPInstanceStats]
    /// The pools, in configuration order.
    public var pools: [PoolStats]
    /// Whether the advertisement monitor runs on this node (it needs libpcap and CAP_NET_RAW).
    public var monitorRunning: Bool
    /// The monitor's findings in force, most severe first.
    public var findings: [FindingStats]
    /// The other nodes, as their stats listeners last answered (`stats.peers`), in file order.
    public let peers: [PeerStats]
    /// What this node's and the peers' VRRP views say together (two masters, none, held nodes): derived from
    /// `node`, `vrrp` and `peers` when the snapshot is made, kept for `/stats.json`.
    public let clusterWarnings: [ClusterWarning]

    public init(
        node: String?, generatedAt: Double, uptimeSeconds: Double, vrrp: [VRRPInstanceStats], pools: [PoolStats],
        monitorRunning: Bool, findings: [FindingStats], peers: [PeerStats] = []
    ) {
        self.node = node
        self.generatedAt = generatedAt
        self.uptimeSeconds = uptimeSeconds
        self.vrrp = vrrp
        self.pools = pools
        self.monitorRunning = monitorRunning
        self.findings = findings
        self.peers = peers
        self.clusterWarnings = ClusterWarning.warnings(node: node, vrrp: vrrp, peers: peers)
    }
}
