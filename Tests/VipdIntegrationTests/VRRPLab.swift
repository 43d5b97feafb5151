import Foundation
import VipdLab
import XCTest

/// The two-node story in network namespaces: a `ClusterLab` with a real sshd on each node's own
/// address, `vipd run` (or keepalived) on the nodes, and the client probing the VIP.
final class VRRPLab: VIPHolderLab, @unchecked Sendable {
    static let vip = "10.251.1.100"

    let lab: ClusterLab
    let directory: LabDirectory
    let keys: LabKeys
    let client: SSHClient
    private(set) var sshd: [SSHDaemon] = []
    private var vipd: [Int: VipdProcess] = [:]

    /// Why the lab cannot run here, or nil.
    static var unavailableReason: String? {
        if let reason = NetworkNamespace.unavailableReason { return reason }
        if !SSHDaemon.isAvailable { return "OpenSSH sshd/ssh not installed (apt-get install openssh-server openssh-client)" }
        return nil
    }

    /// - Parameter sshdConfig: lines added to every node's sshd_config (e.g. `AllowUsers`, a `Match` block).
    init(nodeCount: Int = 2, sshdConfig: String = "") throws {
        lab = try ClusterLab(nodeCount: nodeCount)
        directory = try LabDirectory(prefix: "vipd-vrrp")
        keys = try LabKeys.generate(in: directory)
        client = SSHClient(keys: keys)
        do {
            for node in lab.nodes {
                sshd.append(
                    try SSHDaemon.start(
                        name: node.name, address: node.address, port: 22, keys: keys, directory: directory,
                        namespace: node.namespace, extraConfig: sshdConfig))
            }
        } catch {
            tearDown()
            throw error
        }
    }

    /// Stops every process of the lab, then deletes its namespaces and files.
    func tearDown() {
        for process in vipd.values { process.stop() }
        vipd = [:]
        for daemon in sshd { daemon.stop() }
        lab.delete()
        directory.remove()
    }

    /// The same file for every node, as an admin would copy it: ha0 priority 100, ha1 50. `global`
    /// is the inside of the `global` section's braces (e.g. a longer drain and a `controlSocket(_:)`);
    /// `transparent` is the `ssh` pool's; `extraListeners` and `extraPools` are more entries of those
    /// sections, one line each (`NAME: { ... }`).
    static func yaml(
        version: Int = 3, interval: String = "1s", preempt: Bool = true, unicast: Bool = false,
        extraInstance: String = "", track: String = "track: { pools: { ssh: -60 } }",
        check: String = "interval: 1s, timeout: 5s, fall: 2, rise: 2", withVRRP: Bool = true,
        transparent: Bool = false, extraListeners: [String] = [], extraPools: [String] = [],
        global: String = "drain_timeout: 2s"
    ) -> String {
        let vrrp = """
            vrrp:
              VI_1:
                interface: eth0
                router_id: 51
                version: \(version)
                advert_interval: \(interval)
                preempt: \(preempt)
                unicast: \(unicast)
                virtual_addresses: [\(vip)/24]
                \(track)
                \(extraInstance)
            """
        return """
        cluster:
          nodes:
            ha0: { address: 10.251.1.11, priority: 100 }
            ha1: { address: 10.251.1.12, priority: 50 }
        \(withVRRP ? vrrp : "")
        listeners:
          ssh: { bind: "\(vip):22", pool: ssh, connect_timeout: 1s }\(extraListeners.map { "\n  \($0)" }.joined())
        pools:
          ssh:
            transparent: \(transparent)
            servers: "nodes:22"
            check: { kind: ssh-banner, \(check) }\(extraPools.map { "\n  \($0)" }.joined())
        global: { \(global) }
        """
    }

    /// Starts `vipd run --node haN` (the test build, or `executable`) inside node `index`'s namespace
    /// and waits for its ready line; `environment` (`NAME=VALUE`) is added to its environment.
    @discardableResult
    func startVipd(
        _ index: Int, yaml: String = VRRPLab.yaml(), executable: URL = VipdProcess.binary, environment: [String] = []
    ) throws -> VipdProcess {
        let node = lab.nodes[index]
        let process = try VipdProcess(
            yaml: yaml, directory: directory, name: "vipd-\(node.name)-\(UInt32.random(in: 0...UInt32.max))",
            launcher: [NetworkNamespace.ipTool.path, "netns", "exec", node.namespace.name]
                + (environment.isEmpty ? [] : ["/usr/bin/env"] + environment),
            arguments: ["--node", node.name], executable: executable)
        vipd[index] = process
        return process
    }

    func vipdProcess(_ index: Int) -> VipdProcess? { vipd[index] }

    /// A control socket path for node `index` in the lab directory: the namespaces share one file
    /// system, so each node's file names its own (`global.control_socket`).
    func controlSocket(_ index: Int) -> String { directory.file("control-ha\(index).sock").path }

    /// `vipd ctl ARGUMENTS` against node `index`'s `controlSocket(_:)`.
    func ctl(_ index: Int, _ arguments: String...) throws -> ProcessRunner.Output {
        try VipdProcess.ctl(socket: controlSocket(index), arguments)
    }

    /// Which nodes hold the VIP now.
    func holders() throws -> [Int] {
        try lab.nodes.indices.filter { try lab.holds(Self.vip, on: lab.nodes[$0]) }
    }

    /// Every vipd log of the lab, for failure messages.
    func logs() -> String {
        vipd.keys.sorted().map { "--- vipd on ha\($0):\n\(vipd[$0]!.log)" }.joined(separator: "\n")
    }

    /// The node address of the sshd that served an ssh login to the VIP from the client.
    func loginServer(timeout: Duration = .seconds(10)) throws -> String {
        try client.serverEndpoint(host: Self.vip, port: 22, timeout: timeout, namespace: lab.client.namespace).address
    }

    /// New connections from the client to VIP:22, one every `interval`, each a success when the SSH
    /// banner arrives within 300 ms (call `start()`, then `stop()` for the outcomes).
    func probeLoop(every interval: Duration) -> BannerProbeLoop {
        BannerProbeLoop(address: Self.vip, port: 22, from: lab.client.namespace, every: interval, timeout: .milliseconds(300))
    }

    /// Connects from the client to VIP:22 and reads the SSH banner; true when one arrived.
    func probeVIP(timeout: Duration = .milliseconds(500)) -> Bool {
        (try? lab.client.namespace.perform {
            BannerProbe.firstLine(address: VRRPLab.vip, port: 22, timeout: timeout) != nil
        }) ?? false
    }

    /// Polls `condition` every 200 ms until it holds; fails and throws when it does not within `timeout` seconds.
    func waitUntil(
        _ what: String, within timeout: TimeInterval, file: StaticString = #filePath, line: UInt = #line,
        _ condition: () throws -> Bool
    ) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            Thread.sleep(forTimeInterval: 0.2)
        }
        XCTFail("not within \(timeout) s: \(what)\n\(logs())", file: file, line: line)
        throw LabError.unexpectedOutput(command: "wait until \(what)", output: "")
    }
}
