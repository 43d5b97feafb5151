import NIOCore
import NIOPosix
import VipdConfig
import VipdCore
import VipdHealth

/// "The other nodes are reachable": an SSH-banner probe (the pools' `ssh-banner` check: connect,
/// read `SSH-2.0-…`, say goodbye politely) to each other node's sshd, all at once, each bounded
/// by `timeout`. Nothing else is sent to the peers.
public enum PeerReachabilityCheck {
    /// The endpoint probed for `peer`: its server of a pool (`servers: nodes:PORT`) when one has
    /// the peer's address, else the peer's address port 22.
    public static func endpoint(of peer: ClusterNode, config: VipdConfiguration) -> SocketEndpoint {
        let server = config.pools.lazy.flatMap(\.servers).first { $0.endpoint.address == peer.address }
        return server?.endpoint ?? SocketEndpoint(address: peer.address, port: 22)
    }

    /// One result per peer of `node`.
    public static func results(
        config: VipdConfiguration, node: ClusterNode, timeout: Duration = .seconds(2), group: any EventLoopGroup
    ) async -> [DoctorCheckResult] {
        let peers = config.nodes.filter { $0.name != node.name }
        let probes = peers.map { peer in
            SSHBannerCheck().run(against: endpoint(of: peer, config: config), timeout: timeout, on: group.next())
        }
        var results: [DoctorCheckResult] = []
        for (peer, probe) in zip(peers, probes) {
            // The check's future never fails: every failure is a failed outcome.
            let outcome = try? await probe.get()
            results.append(result(peer: peer, endpoint: endpoint(of: peer, config: config), outcome: outcome))
        }
        return results
    }

    /// The line for one probe's outcome. Pure.
    public static func result(peer: ClusterNode, endpoint: SocketEndpoint, outcome: CheckOutcome?) -> DoctorCheckResult {
        let title = "node \(peer.name) is reachable (sshd at \(endpoint))"
        guard let outcome, outcome.passed else {
            return DoctorCheckResult(
                .fail, title, detail: outcome?.detail ?? "the probe did not complete",
                fix: "check that \(peer.name) is up, its sshd listens on \(endpoint) and no firewall between the nodes blocks TCP port \(endpoint.port)")
        }
        return DoctorCheckResult(.pass, title, detail: outcome.detail)
    }
}
