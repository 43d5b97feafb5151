import Logging
import VipdConfig
import VipdHandoff
import VipdNet
import VipdVRRP

/// Every VRRP instance of this node, with the tracking they share: interfaces (through a netlink
/// link monitor), the proxy's pools, the track scripts, files and processes. Each instance also
/// tracks its own interface with weight 0 (link down → FAULT), as keepalived does. The members of a
/// sync group move together (see `VRRPSyncGroup`).
public actor VRRPSpeaker {
    private let configuration: VipdConfiguration
    private let node: ClusterNode
    private let pools: any PoolAvailabilityProviding
    private let hooks: VRRPInstanceRunner.Hooks
    private let handoff: SessionHandoff?
    private let logger: Logger
    private var runners: [VRRPInstanceRunner] = []
    private var scripts: [String: TrackScriptRunner] = [:]
    private var linkMonitor: LinkMonitor?
    private var linkWatcher: Task<Void, Never>?
    private var interfaceUp: [String: Bool] = [:]
    private var fileAndProcessTracker: FileAndProcessTracker?
    private var syncGroups: [VRRPSyncGroup] = []
    private var syncGroupWatcher: Task<Void, Never>?

    public init(
        configuration: VipdConfiguration, node: ClusterNode, pools: any PoolAvailabilityProviding,
        hooks: VRRPInstanceRunner.Hooks, handoff: SessionHandoff? = nil, logger: Logger
    ) {
        self.configuration = configuration
        self.node = node
        self.pools = pools
        self.hooks = hooks
        self.handoff = handoff
        self.logger = logger
    }

    /// Opens every instance (throws when an interface is missing), starts tracking, then the protocol.
    public func start() async throws {
        let netlink = try RouteNetlink()
        for instance in configuration.vrrp {
            runners.append(
                try VRRPInstanceRunner(
                    config: instance, node: node, nodes: configuration.nodes, netlink: netlink, hooks: hooks,
                    handoff: handoff, logger: logger, syncGroup: configuration.syncGroup(of: instance.name)?.name))
        }
        let interfaces = Set(configuration.vrrp.flatMap { instance in
            [instance.interface] + instance.track.filter { $0.kind == .interface }.map(\.name)
        })
        // The monitor first: it reports changes after its creation, so none falls between it and the reads.
        let monitor = try LinkMonitor(interfaceNames: interfaces)
        linkMonitor = monitor
        for name in interfaces {
            interfaceUp[name] = (try? netlink.interface(named: name).isUsable) ?? false
        }
        let changes = monitor.changes
        linkWatcher = Task { [weak self] in
            for await change in changes {
                await self?.interfaceChanged(change)
            }
        }
        pools.observe { [weak self] _, _ in
            Task { await self?.trackingChanged() }
        }
        let scriptNames = Set(configuration.vrrp.flatMap { $0.track.filter { $0.kind == .script }.map(\.name) })
        for script in configuration.trackScripts where scriptNames.contains(script.name) {
            let runner = TrackScriptRunner(config: script, logger: logger)
            scripts[script.name] = runner
            await runner.start { [weak self] _ in
                Task { await self?.trackingChanged() }
            }
        }
        if let tracker = FileAndProcessTracker(instances: configuration.vrrp, logger: logger) {
            fileAndProcessTracker = tracker
            tracker.start { [weak self] in
                Task { await self?.trackingChanged() }
            }
        }
        await startSyncGroups()
        let trackings = trackings()
        for runner in runners {
            if let tracking = trackings[runner.config.name] { await runner.start(initialTracking: tracking) }
        }
    }

    /// Couples the members of each sync group: their changes go to their group in the order they
    /// happen, and the group's decisions go back to them.
    private func startSyncGroups() async {
        syncGroups = configuration.syncGroups.map(VRRPSyncGroup.init)
        guard !syncGroups.isEmpty else { return }
        let (changes, continuation) = AsyncStream.makeStream(of: (String, VRRPSyncGroup.MemberStatus).self)
        for runner in runners where configuration.syncGroup(of: runner.config.name) != nil {
            let name = runner.config.name
            await runner.observeSyncGroup { continuation.yield((name, $0)) }
        }
        syncGroupWatcher = Task { [weak self] in
            for await (instance, status) in changes {
                await self?.memberChanged(instance, to: status)
            }
        }
    }

    private func memberChanged(_ instance: String, to status: VRRPSyncGroup.MemberStatus) async {
        guard let index = syncGroups.firstIndex(where: { $0.config.instances.contains(instance) }) else { return }
        let name = syncGroups[index].config.name
        for action in syncGroups[index].memberChanged(instance, to: status) {
            switch action {
            case .transition(let from, let to):
                logger.notice("sync group \(name): \(from) -> \(to)", metadata: ["vrrp_sync_group": "\(name)"])
            case .becomeMaster(let member):
                await runners.first { $0.config.name == member }?.syncGroupMaster()
            case .becomeBackup(let member, let blocker, let blockerState):
                await runners.first { $0.config.name == member }?.syncGroupBackup(member: blocker, memberState: blockerState)
            }
        }
    }

    /// Each instance's name and state now, in configuration order (for the daemon's status line).
    public func instanceStates() async -> [(name: String, state: VRRPState)] {
        var states: [(name: String, state: VRRPState)] = []
        for runner in runners { states.append((runner.config.name, await runner.state)) }
        return states
    }

    /// Each instance's report (state, priorities, master, recent transitions, its sync group and the
    /// group's state), in configuration order.
    public func instanceReports() async -> [VRRPInstanceReport] {
        var reports: [VRRPInstanceReport] = []
        for runner in runners {
            var report = await runner.report
            if let group = syncGroups.first(where: { $0.config.instances.contains(runner.config.name) }) {
                report.syncGroup = group.config.name
                report.syncGroupState = group.state
            }
            reports.append(report)
        }
        return reports
    }

    /// Each instance's interface, family, source address and VRRP socket receive counter.
    public func socketReceipts() -> [(config: VRRPInstanceConfig, source: IPAddress, received: Int)] {
        runners.map { ($0.config, $0.sourceAddress, $0.socketReceivedCount) }
    }

    /// The operator's planned failover of every instance at once (see `VRRPInstanceRunner.hold`):
    /// returns each instance's name, whether it still is master and the new master it heard.
    public func hold() async -> [(instance: String, stillMaster: Bool, newMaster: IPAddress?)] {
        await withTaskGroup(of: (Int, (instance: String, stillMaster: Bool, newMaster: IPAddress?)).self) { group in
            for (index, runner) in runners.enumerated() {
                group.addTask {
                    let newMaster = await runner.hold()
                    return (index, (runner.config.name, await runner.state == .master, newMaster))
                }
            }
            var outcomes: [(Int, (instance: String, stillMaster: Bool, newMaster: IPAddress?))] = []
            for await outcome in group { outcomes.append(outcome) }
            return outcomes.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Ends the operator's hold on every instance; returns the names of those that were held.
    public func releaseHold() async -> [String] {
        var released: [String] = []
        for runner in runners where await runner.isHeld {
            await runner.releaseHold()
            released.append(runner.config.name)
        }
        return released
    }

    /// Planned stop of every instance at once (make-before-break, see `VRRPInstanceRunner.handOver`).
    public func handOver() async {
        stopSyncGroups()
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask { _ = await runner.handOver() }
            }
        }
        finish()
    }

    /// Immediate stop: masters send priority 0 and release their addresses.
    public func stop() async {
        stopSyncGroups()
        for runner in runners { await runner.stop() }
        finish()
    }

    /// Stopping: the members stop on their own, the groups no longer move them.
    private func stopSyncGroups() {
        syncGroupWatcher?.cancel()
        syncGroups = []
    }

    private func finish() {
        linkWatcher?.cancel()
        linkMonitor?.stop()
        for script in scripts.values { script.stop() }
        fileAndProcessTracker?.stop()
        Task { [runners] in
            for runner in runners { await runner.finish() }
        }
    }

    private func interfaceChanged(_ interface: NetworkInterface) async {
        guard interfaceUp[interface.name] != interface.isUsable else { return }
        interfaceUp[interface.name] = interface.isUsable
        logger.notice(
            "interface \(interface.name) is \(interface.isUsable ? "up" : "down (no carrier or administratively down)")",
            metadata: ["interface": "\(interface.name)"])
        await trackingChanged()
    }

    private func trackingChanged() async {
        let trackings = trackings()
        for runner in runners {
            if let tracking = trackings[runner.config.name] { await runner.trackingChanged(tracking) }
        }
    }

    /// Every instance's effective priority or fault by name, with the members of a sync group
    /// sharing their faults (and with `priority: lowest` their lowest priority).
    private func trackings() -> [String: TrackedPriority] {
        var trackings = Dictionary(uniqueKeysWithValues: configuration.vrrp.map { ($0.name, tracking(for: $0)) })
        for group in configuration.syncGroups.map(VRRPSyncGroup.init) { trackings = group.tracking(trackings) }
        return trackings
    }

    /// The instance's effective priority or fault from everything it tracks.
    private func tracking(for instance: VRRPInstanceConfig) -> TrackedPriority {
        var objects = [TrackedObjectConfig(kind: .interface, name: instance.interface, weight: 0)]
        objects += instance.track.filter { !($0.kind == .interface && $0.name == instance.interface) }
        let statuses = objects.map { object in
            let isUp: Bool
            switch object.kind {
            case .interface: isUp = interfaceUp[object.name] ?? false
            case .pool: isUp = pools.hasServerUp(object.name) ?? false
            case .script: isUp = scripts[object.name]?.isUp ?? false
            case .process: isUp = object.accepts(processCount: fileAndProcessTracker?.count(ofProcess: object.name) ?? 0)
            case .file: return TrackedObjectStatus(object: object, value: fileAndProcessTracker?.value(ofFile: object.name) ?? 0)
            }
            return TrackedObjectStatus(object: object, isUp: isUp)
        }
        return TrackedPriority(base: UInt8(node.priority), tracking: statuses)
    }
}
