import FoundationEssentials
import VipdCore
import VipdLab

/// The six steps of `vipd demo`, each printed as it happens and verified before the next begins:
/// election, round robin, a cut cable, its return, a firewall dropping VRRP, its removal.
final class DemoStory {
    private let lab: DemoLab
    private let network: ClusterLab
    private let topology: DemoTopology
    private let pacing: DemoPacing
    private let say: (String) -> Void
    /// The step running now, for failures (nil while setting up).
    private(set) var step: Int?
    /// How many of the master's log lines about the backup's server existed before the cut.
    private var backupServerLinesBeforeCut = 0

    /// How often the failover probe opens a connection.
    static let probeInterval: Duration = .milliseconds(100)
    /// How long one probe waits for the banner (a healthy lab answers in a few milliseconds).
    static let probeTimeout: Duration = .milliseconds(300)
    /// Logins per round-robin check.
    static let loginCount = 4
    /// The longest any VIP move may take: ten times the slowest expected (a Master_Down_Interval).
    private var moveLimit: Duration { topology.nodes.map(\.masterDownInterval).max()! * 10 }
    /// The longest a pool may take to see a returning server (rise 2 x interval 2 s, ten times over).
    private static let healthLimit: Duration = .seconds(60)

    init(lab: DemoLab, network: ClusterLab, topology: DemoTopology, pacing: DemoPacing, say: @escaping (String) -> Void) {
        self.lab = lab
        self.network = network
        self.topology = topology
        self.pacing = pacing
        self.say = say
    }

    private var master: Int { topology.masterIndex }
    private var backup: Int { topology.backupIndex }
    private func name(_ index: Int) -> String { topology.nodes[index].name }

    /// Runs the steps in order; throws `DemoStepFailure` for the first that does not do what it said.
    func tell() throws {
        try electsTheHigherPriority()
        try loginsAlternate()
        try cutCableMovesTheVIP()
        try returningCablePreempts()
        try droppedVRRPIsNamedSplitBrain()
        try removedRuleHeals()
    }

    // MARK: - The steps

    private func electsTheHigherPriority() throws {
        begin(1, "Both nodes are up: the higher priority holds the VIP")
        let elected = try waitForHolders([master], within: moveLimit)
        say(DemoText.command("ip -o addr show dev \(topology.interface)   (in each node's namespace)"))
        for index in topology.nodes.indices {
            say(DemoText.node(index, of: topology, addresses: try lab.addresses(ofNode: index, in: network)))
        }
        try waitForServersUp(on: master)
        say(DemoText.ok(
            "\(name(master)) holds \(topology.vip) and \(name(backup)) does not (elected \(DemoText.seconds(elected)) "
                + "after both started); \(name(master))'s health checks see every sshd UP"))
    }

    private func loginsAlternate() throws {
        begin(2, "`ssh \(topology.vip)` from the client, \(Self.loginCount) times: round robin over both nodes")
        let served = try logins()
        if let problem = LoginRotation.roundRobinProblem(served: served, nodes: topology.nodes.map(\.name)) {
            throw failure(expected: "logins to alternate between the nodes", saw: problem)
        }
        say(DemoText.ok("logins alternate: \(served.joined(separator: ", "))"))
    }

    private func cutCableMovesTheVIP() throws {
        begin(3, "\(name(master))'s cable is cut: the VIP moves to \(name(backup)), logins continue")
        let probe = lab.startProbe(
            on: network, address: topology.vip, port: topology.port, every: Self.probeInterval, timeout: Self.probeTimeout)
        say(DemoText.note(
            "probing \(topology.vip):\(topology.port) from the client every \(Self.probeInterval.millisecondsText) "
                + "(a new connection each time, waiting for the SSH banner)"))
        try pacing.pause(.seconds(1))
        let downBefore = serverLines(of: master, seenBy: backup).count
        backupServerLinesBeforeCut = serverLines(of: backup, seenBy: master).count
        say(DemoText.command("ip link set \(network.nodes[master].switchPort) down   (the switch port of \(name(master))'s cable)"))
        let cut = ContinuousClock.now
        try network.cutLink(network.nodes[master])
        let moved = try waitForHolders([backup], within: moveLimit)
        say(DemoText.note("the VIP is on \(name(backup)) only, \(DemoText.seconds(moved)) after the cut"))
        _ = try pacing.waitUntil(within: moveLimit) { probe.results.contains { $0.at >= cut && $0.succeeded } }
        try pacing.pause(.seconds(1))
        let gap = FailoverGap(outcomes: probe.stop(), after: cut)
        guard gap.recovered else {
            throw failure(
                expected: "new connections to the VIP to succeed again after the takeover",
                saw: "\(gap.probes) probes since the cut, none succeeded")
        }
        for line in serverLines(of: master, seenBy: backup).dropFirst(downBefore) {
            say(DemoText.note("\(name(backup))'s vipd: \(line)"))
        }
        say(DemoText.gap(gap, timeout: Self.probeTimeout, newMaster: topology.nodes[backup], oldMaster: topology.nodes[master]))
        let served = try logins()
        if let problem = LoginRotation.onlyProblem(served: served, node: name(backup)) {
            throw failure(expected: "every login served by \(name(backup)) while \(name(master)) is cut off", saw: problem)
        }
        say(DemoText.ok(
            "\(name(backup)) took over \(DemoText.seconds(moved)) after the cut; new connections failed for "
                + "\(gap.gap!.millisecondsText), then every login was served by \(name(backup))"))
    }

    private func returningCablePreempts() throws {
        begin(4, "\(name(master))'s cable is back: preempt returns the VIP to \(name(master)) (priority "
            + "\(topology.nodes[master].priority) > \(topology.nodes[backup].priority))")
        say(DemoText.command("ip link set \(network.nodes[master].switchPort) up"))
        try network.restoreLink(network.nodes[master])
        let moved = try waitForHolders([master], within: moveLimit)
        say(DemoText.note("the VIP is on \(name(master)) only, \(DemoText.seconds(moved)) after the link came back"))
        try waitForServersUp(on: master)
        for line in serverLines(of: backup, seenBy: master).dropFirst(backupServerLinesBeforeCut) {
            say(DemoText.note("\(name(master))'s vipd: \(line)"))
        }
        let served = try logins()
        if let problem = LoginRotation.roundRobinProblem(served: served, nodes: topology.nodes.map(\.name)) {
            throw failure(expected: "logins to alternate again", saw: problem)
        }
        say(DemoText.ok("\(name(master)) holds the VIP again and logins alternate: \(served.joined(separator: ", "))"))
    }

    private func droppedVRRPIsNamedSplitBrain() throws {
        begin(5, "A firewall on \(name(backup)) drops VRRP: both nodes hold the VIP, the monitor says why")
        say(DemoText.command(
            "ip netns exec \(network.client.namespace.name) "
                + "vipd " + lab.monitorArguments(interface: topology.interface).joined(separator: " ")))
        try lab.startMonitor(on: network, interface: topology.interface)
        let masterAddress = topology.nodes[master].address
        guard try waitForMonitorLine({ $0.event == "master" && $0.to == masterAddress }) != nil else {
            throw failure(expected: "the monitor to see \(topology.label(master)) as master", saw: "no such line in its output")
        }
        say(DemoText.note("monitor: the master of VRID \(topology.routerID) is \(topology.label(master))"))

        say(DemoText.command(
            "nft add rule inet vipdlab input meta l4proto 112 drop   (in \(name(backup))'s namespace: VRRP is IP protocol 112)"))
        try network.dropVRRP(on: network.nodes[backup])
        let split = try waitForHolders([master, backup].sorted(), within: moveLimit)
        say(DemoText.note("the VIP is on both nodes \(DemoText.seconds(split)) after the rule: split brain"))

        guard let finding = try waitForMonitorLine({ $0.event == "finding" && $0.kind == "split-brain" }) else {
            throw failure(expected: "the monitor to report a split-brain finding", saw: "none in its output")
        }
        DemoText.finding(finding).forEach(say)
        let cause = "a firewall on \(topology.label(backup))"
        guard finding.summary?.contains(cause) == true else {
            throw failure(expected: "the monitor to name \(cause) as the cause", saw: finding.summary ?? "no summary")
        }

        let visibility = "ONE-SIDED VISIBILITY"
        var messages: [String] = []
        _ = try pacing.waitUntil(within: moveLimit) {
            messages = DaemonLog.messages(containing: visibility, in: lab.vipdLog(ofNode: backup))
            return !messages.isEmpty
        }
        guard let message = messages.first else {
            throw failure(expected: "\(name(backup))'s own vipd to log \(visibility)", saw: "no such line in its log")
        }
        say(DemoText.note("\(name(backup))'s own vipd: \(DemoText.headline(message))"))
        say(DemoText.ok(
            "both nodes hold the VIP; the monitor on the client names the split brain and \(cause) as its cause, "
                + "\(name(backup))'s vipd names its own firewall"))
    }

    private func removedRuleHeals() throws {
        begin(6, "The rule is removed: one master again")
        say(DemoText.command("nft delete table inet vipdlab   (in \(name(backup))'s namespace)"))
        try network.allowVRRP(on: network.nodes[backup])
        let healed = try waitForHolders([master], within: moveLimit)
        say(DemoText.note("the VIP is on \(name(master)) only, \(DemoText.seconds(healed)) after the rule went"))
        guard let cleared = try waitForMonitorLine({ $0.event == "cleared" && $0.kind == "split-brain" }) else {
            throw failure(expected: "the monitor to clear the split-brain finding", saw: "no cleared line in its output")
        }
        say(DemoText.note(
            "monitor: cleared split-brain" + (cleared.durationSeconds.flatMap { Int64(exactly: ($0 * 1000).rounded()) }
                .map { " after " + DemoText.seconds(.milliseconds($0)) } ?? "")))
        let status = lab.stopMonitor()
        say(DemoText.note("monitor stopped (Ctrl-C), exit status \(status.map(String.init) ?? "none"): 2 means it saw findings"))
        let served = try logins()
        if let problem = LoginRotation.roundRobinProblem(served: served, nodes: topology.nodes.map(\.name)) {
            throw failure(expected: "logins to alternate again", saw: problem)
        }
        say(DemoText.ok(
            "one master again (\(name(master))); the monitor cleared the split brain; logins alternate: "
                + served.joined(separator: ", ")))
    }

    // MARK: - Helpers

    private func begin(_ number: Int, _ title: String) {
        step = number
        DemoText.heading(step: number, title).forEach(say)
    }

    private func failure(expected: String, saw: String) -> DemoStepFailure {
        DemoStepFailure(step: step, expected: expected, saw: saw)
    }

    /// Waits until exactly `expected` hold the VIP; returns how long that took.
    @discardableResult
    private func waitForHolders(_ expected: [Int], within limit: Duration) throws -> Duration {
        var current: [Int] = []
        let took = try pacing.waitUntil(within: limit) {
            current = try lab.holders(of: topology.vip, in: network)
            return current == expected
        }
        guard let took else {
            throw failure(
                expected: "the VIP on \(DemoText.holders(expected, of: topology)) within \(DemoText.seconds(limit))",
                saw: "it on \(DemoText.holders(current, of: topology))")
        }
        return took
    }

    /// Waits until node `index`'s vipd has every node's sshd UP in its pool; returns how long that took.
    @discardableResult
    private func waitForServersUp(on index: Int) throws -> Duration {
        let pool = topology.pool
        var down: [String] = []
        let took = try pacing.waitUntil(within: Self.healthLimit) {
            let log = lab.vipdLog(ofNode: index)
            down = topology.nodes.map(\.name).filter { !DaemonLog.serverIsUp($0, pool: pool, in: log) }
            return down.isEmpty
        }
        guard let took else {
            throw failure(
                expected: "\(name(index))'s health checks to see every sshd UP within \(DemoText.seconds(Self.healthLimit))",
                saw: "\(down.joined(separator: ", ")) not UP in its pool \(pool)")
        }
        return took
    }

    /// The first line of the monitor's output that `matches`, waiting for it (bounded); nil if none came.
    private func waitForMonitorLine(_ matches: (MonitorLine) -> Bool) throws -> MonitorLine? {
        var found: MonitorLine?
        _ = try pacing.waitUntil(within: moveLimit) {
            found = lab.monitorLines.first(where: matches)
            return found != nil
        }
        return found
    }

    /// The health transitions (`server ssh/NODE is UP` or `DOWN`) of `node` in `observer`'s vipd log.
    private func serverLines(of node: Int, seenBy observer: Int) -> [String] {
        DaemonLog.messages(containing: "server \(topology.pool)/\(name(node)) is ", in: lab.vipdLog(ofNode: observer))
    }

    /// `loginCount` real ssh logins to the VIP from the client, each printed; the serving node names.
    private func logins() throws -> [String] {
        say(DemoText.command(
            "ip netns exec \(network.client.namespace.name) ssh \(SSHClient.currentUserName)@\(topology.vip) 'echo $SSH_CONNECTION'"))
        return try (1...Self.loginCount).map { number in
            try pacing.checkpoint()
            let address: String
            let started = ContinuousClock.now
            do {
                address = try lab.login(to: topology.vip, port: topology.port, in: network)
            } catch {
                throw failure(expected: "login \(number) through the VIP to succeed", saw: "\(error)")
            }
            let name = topology.index(ofAddress: address).map(name) ?? address
            say(DemoText.login(number, servedBy: name, address: address, port: topology.port, took: ContinuousClock.now - started))
            return name
        }
    }
}
