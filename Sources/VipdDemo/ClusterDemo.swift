import FoundationEssentials
import VipdConfig
import VipdLab
#if canImport(Glibc)
import Glibc
#endif

/// `vipd demo`: the two-node story on one machine, in network namespaces.
///
/// Two nodes and a client on one bridge (`ClusterLab`), a real OpenSSH sshd on each node's own
/// address, `vipd run` on both nodes with the embedded ``DemoConfiguration``, then ``DemoStory``'s
/// six verified steps. Whatever happens — every step passes, one fails, or SIGINT/SIGTERM arrives —
/// everything started is stopped by pid and every namespace and file is removed.
public enum ClusterDemo {
    /// How a run ended.
    public enum Outcome: Sendable, Equatable {
        /// Every step did what it said.
        case passed
        /// A step (or the setup) did not; with what was expected and seen, and log excerpts.
        case failed(DemoStepFailure)
        /// SIGINT or SIGTERM arrived; everything was cleaned up.
        case interrupted
        /// The demo cannot run here (not root, a program missing); nothing was created.
        case cannotRun(String)
    }

    /// Runs the demo, printing its progress through `say`.
    /// - Parameters:
    ///   - executable: the vipd binary to start on the nodes and the client (this program).
    ///   - isCancelled: true once the user asked to stop; checked by every wait.
    public static func run(
        executable: URL, isCancelled: @escaping @Sendable () -> Bool, say: @escaping (String) -> Void
    ) -> Outcome {
        let missing = DemoPreflight.programs.map(\.program).filter { !isInstalled($0) }
        if let problem = DemoPreflight.problem(isRoot: getuid() == 0, missingPrograms: missing) {
            return .cannotRun(problem)
        }
        let configuration: VipdConfiguration
        do {
            configuration = try DemoConfiguration.parsed()
        } catch {
            return .failed(DemoStepFailure(step: nil, expected: "the embedded configuration to load", saw: "\(error)"))
        }
        let pacing = DemoPacing(isCancelled: isCancelled)
        say("vipd demo: two nodes and a client in network namespaces, a real OpenSSH sshd on each node, `vipd run` on both")
        say("")
        say("The configuration, the same file on both nodes (a start for your own /etc/vipd/vipd.yaml):")
        say("")
        DemoText.configuration(DemoConfiguration.yaml).forEach(say)

        let lab: DemoLab
        do {
            lab = try DemoLab(executable: executable)
        } catch {
            return .failed(DemoStepFailure(step: nil, expected: "a lab directory in /tmp", saw: "\(error)"))
        }
        var story: DemoStory?
        var outcome: Outcome
        do {
            let (network, topology) = try setUp(lab, configuration: configuration, pacing: pacing, say: say)
            let told = DemoStory(lab: lab, network: network, topology: topology, pacing: pacing, say: say)
            story = told
            try told.tell()
            outcome = .passed
        } catch is DemoInterrupted {
            outcome = .interrupted
        } catch var failure as DemoStepFailure {
            failure.logs = lab.logExcerpts(nodeNames: configuration.nodes.map(\.name), lines: 15)
            outcome = isCancelled() ? .interrupted : .failed(failure)
        } catch {
            let failure = DemoStepFailure(
                step: story?.step,
                expected: story?.step == nil ? "the lab to start (namespaces, sshd, vipd)" : "the step's commands to work",
                saw: "\(error)",
                logs: lab.logExcerpts(nodeNames: configuration.nodes.map(\.name), lines: 15))
            outcome = isCancelled() ? .interrupted : .failed(failure)
        }
        say("")
        say("Cleaning up: stopping and removing \(lab.tearDown())")
        if outcome == .passed { say("demo passed: every step did what it said") }
        return outcome
    }

    /// Builds the network, starts sshd and vipd on each node; returns the network and who is who.
    private static func setUp(
        _ lab: DemoLab, configuration: VipdConfiguration, pacing: DemoPacing, say: (String) -> Void
    ) throws -> (ClusterLab, DemoTopology) {
        say("")
        say("Setting up (lab files in \(lab.directory.url.path), removed at the end):")
        let network = try lab.buildNetwork(nodeCount: configuration.nodes.count)
        let topology = try DemoTopology(
            configuration: configuration, labAddresses: network.nodes.map(\.address), labInterface: ClusterLab.interface)
        let hosts = network.nodes.map { "\($0.name) \($0.address)" } + ["the client \(network.client.address)"]
        say(DemoText.note(
            "network: \(hosts.joined(separator: ", ")), each in its own namespace with \(ClusterLab.interface) on one bridge"))
        try pacing.checkpoint()
        try lab.startSSHD(on: network)
        say(DemoText.note(
            "sshd: " + topology.nodes.map { "\($0.name) listens on \($0.address):22" }.joined(separator: ", ")
                + " (its own address only, so VIP:22 is vipd's)"))
        try pacing.checkpoint()
        try lab.startVipd(yaml: DemoConfiguration.yaml, on: network)
        for (index, node) in network.nodes.enumerated() {
            say(DemoText.command(
                "ip netns exec \(node.namespace.name) vipd run --config \(lab.vipdConfigURL(ofNode: index).path) --node \(node.name)"))
        }
        return (network, topology)
    }

    /// Whether `program` is installed where the lab looks for it.
    private static func isInstalled(_ program: String) -> Bool {
        switch program {
        case "ip": FileManager.default.isExecutableFile(atPath: NetworkNamespace.ipTool.path)
        case "nft": FileManager.default.isExecutableFile(atPath: ClusterLab.nft.path)
        default: !SSHDaemon.missingPrograms.contains(program)
        }
    }
}
