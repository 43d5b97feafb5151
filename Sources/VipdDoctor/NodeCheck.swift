import VipdConfig

/// "This host is a node of the cluster": `--node`, else the node whose address is on this host,
/// else the node named like the host. Pure.
public enum NodeCheck {
    /// The result line and the node found (nil when none).
    public static func result(
        config: VipdConfiguration, explicit: String?, host: HostNetwork
    ) -> (DoctorCheckResult, ClusterNode?) {
        let title = "this host is identified as a cluster node"
        let known = config.nodes.map { "\($0.name) (\($0.address))" }.joined(separator: ", ")
        if config.nodes.isEmpty {
            if config.vrrp.isEmpty {
                return (DoctorCheckResult(.pass, title, detail: "no cluster.nodes: a single host, nothing to identify"), nil)
            }
            return (DoctorCheckResult(.fail, title, detail: "vrrp needs cluster.nodes", fix: "list every host under cluster.nodes"), nil)
        }
        let hostAddresses = host.addresses.map(\.prefix.address)
        guard let node = config.resolveNode(named: explicit, hostAddresses: hostAddresses, hostname: host.hostname) else {
            if let explicit {
                return (
                    DoctorCheckResult(
                        .fail, title, detail: "--node \(explicit): no such node in cluster.nodes (known: \(known))",
                        fix: "give --node one of: \(config.nodes.map(\.name).joined(separator: ", "))"), nil
                )
            }
            let status: DoctorStatus = config.vrrp.isEmpty ? .warn : .fail
            return (
                DoctorCheckResult(
                    status, title,
                    detail: "no node's address is on this host and no node is named \"\(host.hostname)\" (nodes: \(known))",
                    fix: "run with --node NAME, or add this host's address (see `ip -br addr`) to cluster.nodes"), nil
            )
        }
        let how: String
        if explicit != nil {
            how = "named by --node"
        } else if let interface = host.interfaceName(holding: node.address) {
            how = "its address is on \(interface)"
        } else {
            how = "named like the host name \(host.hostname)"
        }
        return (DoctorCheckResult(.pass, "\(title): \(node.name) (\(node.address))", detail: how), node)
    }
}
