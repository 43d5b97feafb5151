import VipdConfig
import VipdCore
import VipdMonitor
import VipdVRRPPacket

extension MonitorSettings {
    /// The expectations of a cluster configuration: its VRRP instances (with `interface` renamed
    /// by `interfaceLabel` when a capture file stands in for the interface) and its node names.
    public init(configuration: VipdConfiguration, localAddresses: Set<IPAddress> = [], interfaceLabel: ((String) -> String)? = nil) {
        let expected = configuration.vrrp.compactMap { instance -> ExpectedGroup? in
            guard let routerID = UInt8(exactly: instance.virtualRouterID),
                let version = VRRPVersion(rawValue: instance.version)
            else { return nil }
            return ExpectedGroup(
                name: instance.name,
                key: GroupKey(
                    interface: interfaceLabel?(instance.interface) ?? instance.interface, family: instance.family,
                    virtualRouterID: routerID),
                version: version, interval: instance.advertisementInterval,
                virtualAddresses: instance.virtualAddresses.map(\.address))
        }
        self.init(
            expectedGroups: expected,
            nodeNames: Dictionary(configuration.nodes.map { ($0.address, $0.name) }, uniquingKeysWith: { first, _ in first }),
            localAddresses: localAddresses)
    }
}
