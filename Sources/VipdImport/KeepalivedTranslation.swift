import VipdConfig
import VipdCore

/// One `vrrp_instance` of one keepalived.conf, read for vipd: the shared settings and what belongs to
/// the node whose file it is.
struct KeepalivedInstance {
    /// Everything but the node's own values; its `name` is the instance name.
    var config: VRRPInstanceConfig
    /// The `vrrp_instance NAME {` line.
    var location: SourceLocation
    /// `priority` (keepalived's default is 100). `state` is implied by the priorities and not kept.
    var priority: Int?
    /// `nopreempt` and where.
    var nopreempt: SourceLocation?
    /// `unicast_src_ip` or `mcast_src_ip`: this node's own address.
    var sourceAddress: (address: IPAddress, location: SourceLocation)?
    /// `unicast_peer { … }`: the other nodes' addresses.
    var peers: [(address: IPAddress, location: SourceLocation)] = []
}

/// What one keepalived.conf (one node's file) becomes.
struct KeepalivedFileTranslation {
    var file: String
    var instances: [KeepalivedInstance] = []
    var scripts: [(config: TrackScriptConfig, location: SourceLocation)] = []
    var syncGroups: [KeepalivedSyncGroup] = []
    /// `global_defs { router_id NAME }`: a name for this file's node.
    var routerID: (name: String, location: SourceLocation)?
}
