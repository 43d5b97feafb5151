import VipdConfig
import VipdCore
import VipdNet
import VipdVRRPPacket

/// The checks of one VRRP instance's interface: it exists, it is up, it has the node's address,
/// the VIPs lie inside one of its subnets, and adverts can go out (multicast, or unicast configured). Pure.
public enum InterfaceChecks {
    /// The results for `instance`, stopping after the first check the others depend on fails.
    public static func results(
        for instance: VRRPInstanceConfig, node: ClusterNode?, config: VipdConfiguration, host: HostNetwork
    ) -> [DoctorCheckResult] {
        let name = instance.interface
        guard let interface = host.interface(named: name) else {
            return [
                DoctorCheckResult(
                    .fail, "interface \(name) of \(instance.name) exists",
                    detail: "no interface \(name) on this host (it has: \(host.interfaces.map(\.name).joined(separator: ", ")))",
                    fix: "set vrrp.\(instance.name).interface to the interface of the nodes' LAN (ip -br link)")
            ]
        }
        var results = [state(of: interface)]
        let addresses = host.addresses(on: interface)
        if let node { results.append(nodeAddress(node, on: interface, addresses: addresses, host: host, instance: instance)) }
        results.append(subnets(for: instance, on: interface, addresses: addresses))
        results.append(multicast(for: instance, on: interface, config: config, node: node, host: host))
        return results
    }

    private static func state(of interface: NetworkInterface) -> DoctorCheckResult {
        let title = "interface \(interface.name) is up"
        if interface.isUsable { return DoctorCheckResult(.pass, title, detail: interface.description) }
        let fix = interface.isAdministrativelyUp
            ? "it has no carrier: check the cable or the switch port (or the peer end of a veth)"
            : "ip link set \(interface.name) up (and in the interface's configuration, e.g. /etc/network/interfaces)"
        return DoctorCheckResult(.fail, title, detail: interface.description, fix: fix)
    }

    private static func nodeAddress(
        _ node: ClusterNode, on interface: NetworkInterface, addresses: [InterfaceAddress], host: HostNetwork,
        instance: VRRPInstanceConfig
    ) -> DoctorCheckResult {
        let title = "interface \(interface.name) has node \(node.name)'s address \(node.address)"
        if addresses.contains(where: { $0.prefix.address == node.address }) {
            return DoctorCheckResult(.pass, title)
        }
        let elsewhere = host.interfaceName(holding: node.address).map { "it is on \($0) instead" } ?? "no interface of this host has it"
        let length = instance.virtualAddresses.first?.length ?? (node.address.family == .v4 ? 24 : 64)
        return DoctorCheckResult(
            .fail, title,
            detail: "\(interface.name) has \(addresses.map(\.prefix.description).joined(separator: ", ").ifEmpty("no address")); \(elsewhere)",
            fix: "ip addr add \(node.address)/\(length) dev \(interface.name) (and in the interface's configuration), or fix cluster.nodes.\(node.name).address")
    }

    private static func subnets(for instance: VRRPInstanceConfig, on interface: NetworkInterface, addresses: [InterfaceAddress]) -> DoctorCheckResult {
        let title = "virtual addresses of \(instance.name) lie inside a subnet of \(interface.name)"
        let vips = Set(instance.virtualAddresses.map(\.address))
        // The VIPs themselves are on the interface while this node is master: they do not count.
        let subnets = addresses.map(\.prefix).filter { !vips.contains($0.address) && !$0.address.isIPv6LinkLocal }
        let outside = instance.virtualAddresses.filter { vip in
            !subnets.contains { $0.contains(vip.address) }
        }
        let subnetText = subnets.map { network($0).description }.joined(separator: ", ").ifEmpty("none")
        guard outside.isEmpty else {
            return DoctorCheckResult(
                .fail, title,
                detail: "\(outside.map(\.description).joined(separator: ", ")) outside the subnets of \(interface.name) (\(subnetText)): "
                    + "hosts of the LAN would not send to it through this link, and ARP for it is not answered on it",
                fix: "use virtual addresses inside \(subnetText) in vrrp.\(instance.name).virtual_addresses, or give \(interface.name) an address of their subnet")
        }
        return DoctorCheckResult(.pass, title, detail: "subnets: \(subnetText)")
    }

    /// A prefix with its host bits cleared: `10.251.1.0/24` for `10.251.1.11/24`.
    private static func network(_ prefix: IPPrefix) -> IPPrefix {
        IPPrefix(address: AddressRange(prefix).low, length: prefix.length)!
    }

    private static func multicast(
        for instance: VRRPInstanceConfig, on interface: NetworkInterface, config: VipdConfiguration, node: ClusterNode?,
        host: HostNetwork
    ) -> DoctorCheckResult {
        if instance.unicast {
            let peers = config.nodes.filter { $0.name != node?.name }.map { "\($0.name) (\($0.address))" }
            return DoctorCheckResult(.pass, "\(instance.name) sends unicast adverts", detail: "to \(peers.joined(separator: ", ").ifEmpty("no peer"))")
        }
        let group = VRRPPacketCodec.multicastGroup(instance.family)
        let title = "\(instance.name) can send multicast adverts to \(group) on \(interface.name)"
        guard interface.supportsMulticast else {
            return DoctorCheckResult(
                .fail, title, detail: "\(interface.name) has no MULTICAST flag",
                fix: "ip link set \(interface.name) multicast on, or set vrrp.\(instance.name).unicast: true")
        }
        if instance.family == .v6,
            !host.addresses(on: interface).contains(where: { $0.prefix.address.isIPv6LinkLocal && $0.isUsableAsSource })
        {
            return DoctorCheckResult(
                .fail, title, detail: "\(interface.name) has no usable IPv6 link-local address (the source of VRRPv3 IPv6 adverts)",
                fix: "enable IPv6 on \(interface.name) (sysctl net.ipv6.conf.\(interface.name).disable_ipv6=0; addr_gen_mode not none)")
        }
        return DoctorCheckResult(.pass, title)
    }
}

extension String {
    /// `replacement` when the string is empty.
    fileprivate func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
