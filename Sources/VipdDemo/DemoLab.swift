import FoundationEssentials
import VipdLab
#if canImport(Glibc)
import Glibc
#endif

/// Everything the demo starts, remembered as it is started so that `tearDown()` removes exactly
/// that whenever the story ends (passed, failed or interrupted): the lab network in namespaces, a
/// real sshd and `vipd run` on each node, `vipd monitor` and connection probes on the client, and
/// the lab directory with keys, configuration files and logs.
final class DemoLab {
    /// The lab directory (`/tmp/vipd-demo.XXXXXX`).
    let directory: LabDirectory
    /// The vipd binary the daemons and the monitor run (this very program).
    let executable: URL
    /// The configuration file, the same for every node and the monitor.
    var configURL: URL { directory.file("vipd.yaml") }
    /// Where the monitor's JSON lines (and any error it prints) go.
    var monitorOutputURL: URL { directory.file("monitor.jsonl") }

    private(set) var network: ClusterLab?
    private var client: SSHClient?
    private var sshd: [SSHDaemon] = []
    private var vipd: [VipdProcess] = []
    private var monitor: ChildProcess?
    private var probes: [BannerProbeLoop] = []

    /// Creates the lab directory, with nothing running yet.
    init(executable: URL) throws {
        self.executable = executable
        directory = try LabDirectory(prefix: "vipd-demo")
    }

    /// Builds the network: `nodeCount` nodes and a client on one bridge, each in its namespace.
    func buildNetwork(nodeCount: Int) throws -> ClusterLab {
        let network = try ClusterLab(nodeCount: nodeCount)
        self.network = network
        return network
    }

    /// Generates the lab's keys and starts a real sshd on port 22 of each node's own address.
    func startSSHD(on network: ClusterLab) throws {
        let keys = try LabKeys.generate(in: directory)
        client = SSHClient(keys: keys)
        for node in network.nodes {
            sshd.append(
                try SSHDaemon.start(
                    name: node.name, address: node.address, port: 22, keys: keys, directory: directory,
                    namespace: node.namespace))
        }
    }

    /// Writes `yaml` as the cluster file and starts `vipd run --node NAME` in each node's namespace.
    func startVipd(yaml: String, on network: ClusterLab) throws {
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
        for node in network.nodes {
            vipd.append(
                try VipdProcess(
                    yaml: yaml, directory: directory, name: "vipd-\(node.name)",
                    launcher: [NetworkNamespace.ipTool.path, "netns", "exec", node.namespace.name],
                    arguments: ["--node", node.name], executable: executable))
        }
    }

    /// The monitor's arguments (after `vipd`).
    func monitorArguments(interface: String) -> [String] {
        ["monitor", "--interface", interface, "--json", "--config", configURL.path]
    }

    /// Starts `vipd monitor --json` on the client host.
    func startMonitor(on network: ClusterLab, interface: String) throws {
        monitor = try ChildProcess.spawn(
            NetworkNamespace.ipTool,
            arguments: ["netns", "exec", network.client.namespace.name, executable.path] + monitorArguments(interface: interface),
            appendingOutputTo: monitorOutputURL)
    }

    /// What the monitor has written so far.
    var monitorLines: [MonitorLine] {
        MonitorLine.parse((try? String(contentsOf: monitorOutputURL, encoding: .utf8)) ?? "")
    }

    /// Stops the monitor with SIGINT (as Ctrl-C would) and returns its exit status (nil: killed).
    func stopMonitor() -> Int32? {
        guard let monitor else { return nil }
        self.monitor = nil
        monitor.send(SIGINT)
        if let status = monitor.waitForExit(within: .seconds(10)) { return status }
        monitor.terminate(grace: .seconds(2))
        return nil
    }

    /// Starts probing `address:port` from the client every `interval`.
    func startProbe(
        on network: ClusterLab, address: String, port: Int, every interval: Duration, timeout: Duration
    ) -> BannerProbeLoop {
        let probe = BannerProbeLoop(
            address: address, port: port, from: network.client.namespace, every: interval, timeout: timeout)
        probes.append(probe)
        probe.start()
        return probe
    }

    /// The IPv4 addresses on node `index`'s lab interface.
    func addresses(ofNode index: Int, in network: ClusterLab) throws -> [String] {
        InterfaceListing.ipv4Addresses(in: try network.addresses(on: network.nodes[index]))
    }

    /// The indices of the nodes that hold `vip` now.
    func holders(of vip: String, in network: ClusterLab) throws -> [Int] {
        try network.nodes.indices.filter { InterfaceListing.contains(vip, in: try addresses(ofNode: $0, in: network)) }
    }

    /// How long one login may take: normally a fraction of a second (the bound is generous for a busy
    /// machine; every login's duration is printed, so a slow one shows).
    static let loginTimeout: Duration = .seconds(20)

    /// Logs in from the client to `host:port` and returns the address of the sshd that served it.
    func login(to host: String, port: Int, in network: ClusterLab) throws -> String {
        guard let client else { throw LabError.unexpectedOutput(command: "ssh", output: "the lab has no keys yet") }
        return try client.serverEndpoint(host: host, port: port, timeout: Self.loginTimeout, namespace: network.client.namespace)
            .address
    }

    /// The configuration file vipd on node `index` runs with (its copy of the cluster file).
    func vipdConfigURL(ofNode index: Int) -> URL { vipd[index].configURL }

    /// Everything vipd on node `index` logged so far ("" before it started).
    func vipdLog(ofNode index: Int) -> String {
        vipd.indices.contains(index) ? vipd[index].log : ""
    }

    /// The last lines of every daemon's log and of the monitor's output, for a failure report (the
    /// files themselves go with the lab directory).
    func logExcerpts(nodeNames: [String], lines: Int) -> [DemoStepFailure.LogExcerpt] {
        var excerpts = vipd.indices.map { index in
            DemoStepFailure.LogExcerpt(
                title: "vipd on \(nodeNames[index])",
                lines: DaemonLog.tail(vipd[index].log, lines: lines))
        }
        if let output = try? String(contentsOf: monitorOutputURL, encoding: .utf8) {
            excerpts.append(.init(title: "vipd monitor on the client", lines: DaemonLog.tail(output, lines: lines)))
        }
        return excerpts
    }

    /// Stops everything that was started, in reverse order, and deletes the namespaces and the lab
    /// directory. Returns what it removed, in words.
    func tearDown() -> String {
        var removed: [String] = []
        probes.forEach { $0.stop() }
        probes = []
        if monitor != nil {
            _ = stopMonitor()
            removed.append("the monitor")
        }
        vipd.forEach { $0.signal(SIGTERM) }
        vipd.forEach { $0.stop() }
        if !vipd.isEmpty { removed.append("\(vipd.count) vipd") }
        vipd = []
        sshd.forEach { $0.stop() }
        if !sshd.isEmpty { removed.append("\(sshd.count) sshd") }
        sshd = []
        if let network {
            network.delete()
            removed.append("\(network.nodes.count + 2) network namespaces")
            self.network = nil
        }
        directory.remove()
        removed.append(directory.url.path)
        return removed.joined(separator: ", ")
    }
}
