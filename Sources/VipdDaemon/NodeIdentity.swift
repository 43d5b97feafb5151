import VipdConfig
import VipdSystem

/// Which of `cluster.nodes` this host is: `--node NAME`, else the node whose address is configured
/// on one of this host's interfaces, else the node named like the hostname.
public enum NodeIdentity {
    /// `--node` names a node the file does not have.
    public struct UnknownNode: Error, CustomStringConvertible {
        public let name: String
        public let known: [String]

        public var description: String {
            "--node \(name): no such node in cluster.nodes (known: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        }
    }

    /// The node this host is, or nil when the file has no cluster section or no node matches.
    public static func resolve(in config: VipdConfiguration, explicit: String?) throws -> ClusterNode? {
        if let explicit, !config.nodes.contains(where: { $0.name == explicit }) {
            throw UnknownNode(name: explicit, known: config.nodes.map(\.name))
        }
        let addresses = (try? HostAddresses.current()) ?? []
        return config.resolveNode(named: explicit, hostAddresses: addresses, hostname: HostName.current())
    }
}
