/// The bits of the packet mark (`meta mark`) and connection mark (`ct mark`) that transparent
/// proxying uses, and the policy-routing objects they select. Every one is vipd's own: the rules
/// and routes carry protocol `routeProtocol`, so a start after a crash finds and removes them.
public enum TransparentMarks {
    /// Set (SO_MARK) on vipd's sockets to servers that carry the client's address: their first
    /// packet tags the connection as this node's transparent connection.
    public static let outbound: UInt32 = 0x0080_0000
    /// On packets to a transparent socket of this node: routed by `deliverTable` to `lo`, so they are
    /// delivered locally although their destination (the client's address) is not. On a
    /// connection's mark: its replies are generated here (this node's own server).
    public static let deliver: UInt32 = 0x0100_0000
    /// The field that names the peer a connection to this node's server came from (1...31): its
    /// replies are routed by that peer's table back to the peer.
    public static let peerField: UInt32 = 0x3e00_0000
    /// The lowest bit of `peerField`.
    static let peerShift: UInt32 = 25
    /// The largest peer index `peerField` holds.
    public static let maximumPeerIndex = Int(peerField >> peerShift)

    /// The route table of `deliver` (`local default dev lo`); peer N's table is `deliverTable + N`.
    public static let deliverTable: UInt32 = 9250
    /// The priority of the rules that select by mark.
    public static let rulePriority: UInt32 = 9250
    /// The route table that makes the health checks' source reachable (`PoolConfig.transparentCheckSource`):
    /// the replies to a check get a route (on the peers' link) before their mark routes them back.
    public static let probeTable: UInt32 = 9249
    /// The priority of the rule that selects `probeTable` by destination: after the mark rules, so a
    /// marked reply still takes its way back.
    public static let probeRulePriority: UInt32 = 9251
    /// The routing protocol number on vipd's rules and routes (`proto 239` in `ip rule` and `ip route`).
    public static let routeProtocol = 239

    /// The `peerField` value of peer `index`.
    public static func peerMark(_ index: Int) -> UInt32 { UInt32(index) << peerShift }
    /// The route table of peer `index`.
    public static func peerTable(_ index: Int) -> UInt32 { deliverTable + UInt32(index) }
}
