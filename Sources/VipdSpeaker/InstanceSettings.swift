import VipdConfig
import VipdCore
import VipdVRRP
import VipdVRRPPacket

extension VRRPInstanceSettings {
    /// The protocol settings of `instance` as run by `node`: the node's priority and address, the
    /// other nodes as unicast peers when `unicast` is set.
    ///
    /// - Parameters:
    ///   - primaryAddress: the advert source; the node's address, or for multicast IPv6 the
    ///     interface's link-local address (RFC 5798 5.1.2.1).
    ///   - syncGroup: the sync group the instance belongs to, if any.
    public init(
        instance: VRRPInstanceConfig, node: ClusterNode, nodes: [ClusterNode], primaryAddress: IPAddress,
        syncGroup: String? = nil
    ) {
        self.init(
            name: instance.name,
            version: instance.version == 2 ? .v2 : .v3,
            virtualRouterID: UInt8(instance.virtualRouterID),
            priority: UInt8(node.priority),
            advertisementInterval: instance.advertisementInterval,
            preempt: instance.preempt,
            preemptDelay: instance.preemptDelay,
            primaryAddress: primaryAddress,
            virtualAddresses: instance.virtualAddresses.map(\.address),
            authentication: instance.password.map { .simplePassword(Array($0.utf8)) } ?? .none,
            unicastPeers: instance.unicast ? nodes.filter { $0.name != node.name }.map(\.address) : [],
            handoverTimeout: instance.handoverTimeout, syncGroup: syncGroup)
    }
}
