import VipdCore
import VipdVRRP

/// Another node of the cluster as its own stats listener last answered: whether it answers now,
/// and its VRRP instances as of its last answer (kept, marked stale, while it does not answer).
public struct PeerStats: Codable, Sendable, Equatable {
    /// The node's name (`cluster.nodes`).
    public var node: String
    /// Where its stats listener was asked, `10.0.0.2:8404`.
    public var address: String
    /// Whether the last request got its `stats.json`.
    public var reachable: Bool
    /// Why the last request did not, in words.
    public var error: String?
    /// When it last answered, in seconds since the Unix epoch; nil: never since this node started.
    public var lastSeen: Double?
    /// Its VRRP instances as of `lastSeen`.
    public var vrrp: [VRRPInstanceStatus]

    public init(node: String, address: String, reachable: Bool, error: String?, lastSeen: Double?, vrrp: [VRRPInstanceStatus]) {
        self.node = node
        self.address = address
        self.reachable = reachable
        self.error = error
        self.lastSeen = lastSeen
        self.vrrp = vrrp
    }

    /// The peer `node` at `endpoint` after `answer` (at `now`, seconds since the Unix epoch), its
    /// view `before` kept when it does not answer. A peer that names itself another node is not
    /// believed: the nodes' files differ, or the address is another node's.
    public init(
        after answer: Result<PeerStatsAnswer.View, PeerStatsError>, from node: String, at endpoint: SocketEndpoint, now: Double,
        before: PeerStats?
    ) {
        let address = endpoint.description
        switch answer {
        case .success(let view) where view.node != nil && view.node != node:
            self.init(
                node: node, address: address, reachable: false,
                error: "answers as node \(view.node ?? "?"): is cluster.nodes the same on every node?",
                lastSeen: before?.lastSeen, vrrp: before?.vrrp ?? [])
        case .success(let view):
            self.init(node: node, address: address, reachable: true, error: nil, lastSeen: now, vrrp: view.vrrp)
        case .failure(let error):
            self.init(
                node: node, address: address, reachable: false, error: error.description, lastSeen: before?.lastSeen,
                vrrp: before?.vrrp ?? [])
        }
    }
}

