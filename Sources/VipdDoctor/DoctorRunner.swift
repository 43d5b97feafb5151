import FoundationEssentials
import NIOPosix
import VipdConfig
import VipdSystem
import VipdTransparent

/// Runs every preflight check of `vipd doctor` on this host, in the order an admin fixes things:
/// config, node, interfaces and addresses, listeners, firewall, peers, session hand-off,
/// transparent proxying, capabilities, capture.
public enum DoctorRunner {
    /// The results for a valid `config` read from `configPath`; `nodeName` is `--node`, `sshdConfig`
    /// sshd's main configuration file.
    public static func run(
        configPath: String, config: VipdConfiguration, nodeName: String?, sshdConfig: String = SSHDSnippet.defaultMainConfig
    ) async -> [DoctorCheckResult] {
        let servers = config.pools.reduce(0) { $0 + $1.servers.count }
        var results = [
            DoctorCheckResult(
                .pass, "config \(configPath) is valid",
                detail: "\(config.nodes.count) node(s), \(config.vrrp.count) VRRP instance(s), \(config.listeners.count) listener(s), "
                    + "\(config.pools.count) pool(s), \(servers) server(s)")
        ]
        let host: HostNetwork
        do {
            host = try HostNetwork.read()
        } catch {
            results.append(
                DoctorCheckResult(.fail, "this host's interfaces can be read", detail: "\(error)", fix: "run vipd doctor on the node itself"))
            return results
        }
        let (nodeResult, node) = NodeCheck.result(config: config, explicit: nodeName, host: host)
        results.append(nodeResult)
        for instance in config.vrrp {
            results += InterfaceChecks.results(for: instance, node: node, config: config, host: host)
        }
        let sshd = SSHDActivation.current()
        results += ListenerCheck.results(config: config, sshd: sshd)
        if let node {
            results += SSHDCoordinationCheck.results(
                config: config, configPath: configPath, node: node, mainConfig: sshdConfig,
                hostAddresses: host.addresses.map(\.prefix.address), activation: sshd)
            results += FirewallCheck.results(snapshot: FirewallSnapshot.read(), config: config, node: node)
            results += await PeerReachabilityCheck.results(config: config, node: node, group: MultiThreadedEventLoopGroup.singleton)
        }
        if let handoff = SessionHandoffCheck.result(config: config, host: SessionHandoffCheck.Host.read()) {
            results.append(handoff)
        }
        if let node, config.hasTransparentPools {
            results += TransparentProxyCheck.results(
                config: config, node: node, network: host, host: TransparentProxyCheck.Host.read(interfaces: host.interfaces))
        }
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        results.append(CapabilityCheck.result(status: status, config: config))
        var seen = Set<String>()
        for interface in config.vrrp.map(\.interface) where seen.insert(interface).inserted && host.interface(named: interface) != nil {
            results.append(CaptureCheck.result(interface: interface))
        }
        return results
    }
}
