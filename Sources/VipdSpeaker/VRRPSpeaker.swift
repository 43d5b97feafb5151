import Logging
import VipdConfig
import VipdCore
import VipdHandoff
import VipdNet
import VipdVRRP

/// Every VRRP instance of this node, with the tracking they share: interfaces (through a netlink
/// link monitor), the proxy's pools, the track scripts, files and processes. Each instance also
/// tracks its own interface with weight 0 (link down → FAULT), as keepalived does. The members of a
/// sync group move together (see `VRRPSyncGroup`). An instance whose interface does not exist waits
/// for it (in FAULT, which its sync group shares), and starts when it appears; one whose interface
/// goes away enters FAULT and waits for it to return.
public actor VRRPSpeaker {
    /// One configured instance: whether it runs on its interface, its runner while it does, and
    /// the last status of the runner it had while it waits.
    private struct Instance {
        let config: VRRPInstanceConfig
        var attachment = InterfaceAttachment()
        var runner: VRRPInstanceRunner?
        var lastStatus: VRRPInstanceStatus?
    }

    private let configuration: VipdConfiguration
    private let node: ClusterNode
    private let pools: any PoolAvailabilityProviding
    private let hooks: VRRPInstanceRunner.Hooks
    private let handoff: SessionHandoff?
    private let logger: Logger
    private var instances: [Instance] = []
    private var netlink: RouteNetlink?
    /// A start that failed on an interface that is there is tried again a second later.
    private var retries: [String: Task<Void, Never>] = [:]
    private var retryLog = RateLimitedLog(period: .seconds(60))
    /// Set by `handOver` and `stop`: no instance starts any more.
    private var stopping = false
    private var scripts: [String: TrackScriptRunner] = [:]
    private var linkMonitor: LinkMonitor?
    private var linkWatcher: Task<Void, Never>?
    private var addressMonitor: AddressMonitor?
    private var addressWatcher: Task<Void, Never>?
    private var interfaceUp: [String: Bool] = [:]
    private var fileAndProcessTracker: FileAndProcessTracker?
    private var syncGroups: [VRRPSyncGroup] = []
    private var syncGroupWatcher: Task<Void, Never>?
    /// Where the members' changes go to their groups; a runner started later joins through it too.
    private var syncGroupChanges: AsyncStream<(String, VRRPSyncGroup.MemberStatus)>.Continuation?

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

    /// The instances running now, in configuration order.
    private var runners: [VRRPInstanceRunner] { instances.compactMap(\.runner) }

    /// Opens every instance whose interface exists (the others wait for theirs), starts tracking,
    /// then the protocol. Throws when an instance cannot be opened on an interface that exists.
    public func start() async throws {
        let netlink = try RouteNetlink()
        self.netlink = netlink
        let interfaces = Set(configuration.vrrp.flatMap { instance in
            [instance.interface] + instance.track.filter { $0.kind == .interface }.map(\.name)
        })
        // The monitor first: it reports changes after its creation, so none falls between it and the reads.
        let monitor = try LinkMonitor(interfaceNames: interfaces)
        linkMonitor = monitor
        var present: [String: NetworkInterface] = [:]
        for name in interfaces {
            present[name] = try? netlink.interface(named: name)
            interfaceUp[name] = present[name]?.isUsable ?? false
        }
        instances = configuration.vrrp.map { Instance(config: $0) }
        for position in instances.indices {
            let config = instances[position].config
            if let interface = present[config.interface] {
                do {
                    instances[position].runner = try makeRunner(config)
                    instances[position].attachment.started(on: interface.index)
                    continue
                } catch NetworkError.interfaceNotFound {
                    // Gone since it was read: waited for like one that never was.
                }
            }
            logger.warning(
                "interface \(config.interface) does not exist; VRRP instance \(config.name) waits for it",
                metadata: ["interface": "\(config.interface)", "vrrp_instance": "\(config.name)"])
        }
        // Started below; one whose interface appears in the meantime is started by `startRunner`.
        let opened = runners
        let changes = monitor.changes
        linkWatcher = Task { [weak self] in
            for await change in changes {
                await self?.interfaceChanged(change)
            }
        }
        watchAddresses()
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
        for runner in opened where runners.contains(where: { $0 === runner }) {
            if let tracking = trackings[runner.config.name] { await runner.start(initialTracking: tracking) }
        }
    }

    /// Couples the members of each sync group: their changes go to their group in the order they
    /// happen, and the group's decisions go back to them.
    private func startSyncGroups() async {
        syncGroups = configuration.syncGroups.map(VRRPSyncGroup.init)
        guard !syncGroups.isEmpty else { return }
        let (changes, continuation) = AsyncStream.makeStream(of: (String, VRRPSyncGroup.MemberStatus).self)
        syncGroupChanges = continuation
        syncGroupWatcher = Task { [weak self] in
            for await (instance, status) in changes {
                await self?.memberChanged(instance, to: status)
            }
        }
        for instance in instances where configuration.syncGroup(of: instance.config.name) != nil {
            if let runner = instance.runner {
                await joinSyncGroup(runner)
            } else {
                continuation.yield((instance.config.name, VRRPSyncGroup.MemberStatus(state: .fault)))
            }
        }
    }

    /// Sends `runner`'s changes to its sync group, if it is a member.
    private func joinSyncGroup(_ runner: VRRPInstanceRunner) async {
        guard let changes = syncGroupChanges, configuration.syncGroup(of: runner.config.name) != nil else { return }
        let name = runner.config.name
        await runner.observeSyncGroup { changes.yield((name, $0)) }
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

    /// Each instance's name and state now, in configuration order (for the daemon's status line);
    /// FAULT while it waits for its interface.
    public func instanceStates() async -> [(name: String, state: VRRPState)] {
        var states: [(name: String, state: VRRPState)] = []
        for instance in instances { states.append((instance.config.name, await instance.runner?.state ?? .fault)) }
        return states
    }

    /// Each instance's status (state, priorities, master, recent transitions, its sync group and the
    /// group's state), in configuration order.
    public func instanceStatuses() async -> [VRRPInstanceStatus] {
        var statuses: [VRRPInstanceStatus] = []
        for instance in instances {
            var status: VRRPInstanceStatus
            if let runner = instance.runner {
                status = await runner.status
            } else {
                status = waitingStatus(instance)
            }
            if let group = syncGroups.first(where: { $0.config.instances.contains(instance.config.name) }) {
                status.syncGroup = group.config.name
                status.syncGroupState = "\(group.state)"
            }
            statuses.append(status)
        }
        return statuses
    }

    /// An instance waiting for its interface: in FAULT, with what its last runner counted.
    private func waitingStatus(_ instance: Instance) -> VRRPInstanceStatus {
        var status =
            instance.lastStatus
            ?? VRRPInstanceStatus(
                config: instance.config, state: .fault, priority: UInt8(node.priority), effectivePriority: UInt8(node.priority),
                masterAddress: nil, masterIsThisNode: false, faultReason: nil, held: false, counters: VRRPCounters(),
                recentTransitions: [], restoredAddresses: 0)
        status.state = "\(VRRPState.fault)"
        status.masterAddress = nil
        status.masterIsThisNode = false
        status.faultReason = "interface \(instance.config.interface) does not exist"
        return status
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
        stopping = true
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
        stopping = true
        stopSyncGroups()
        for runner in runners { await runner.stop() }
        finish()
    }

    /// Stopping: the members stop on their own, the groups no longer move them.
    private func stopSyncGroups() {
        syncGroupWatcher?.cancel()
        syncGroupChanges?.finish()
        syncGroupChanges = nil
        syncGroups = []
    }

    private func finish() {
        linkWatcher?.cancel()
        linkMonitor?.stop()
        addressWatcher?.cancel()
        addressMonitor?.stop()
        for retry in retries.values { retry.cancel() }
        for script in scripts.values { script.stop() }
        fileAndProcessTracker?.stop()
        Task { [runners] in
            for runner in runners { await runner.finish() }
        }
    }

    /// Hands every address removal (and every loss of notifications) to the instances, which put
    /// back the virtual addresses another program takes away while they are master. Without the
    /// notifications, each master still checks its addresses every `VirtualAddressKeeper.safetyInterval`.
    private func watchAddresses() {
        let monitor: AddressMonitor
        do {
            monitor = try AddressMonitor()
        } catch {
            logger.warning(
                "cannot watch the interfaces' addresses (\(error)): a virtual address another program removes is put back only at the next check, within \(VirtualAddressKeeper<ContinuousClock.Instant>.safetyInterval.secondsText)")
            return
        }
        addressMonitor = monitor
        let changes = monitor.changes
        addressWatcher = Task { [weak self] in
            for await change in changes {
                await self?.addressChanged(change)
            }
        }
    }

    private func addressChanged(_ change: AddressChange) async {
        let removed: (address: IPAddress?, interfaceIndex: Int32?)
        switch change {
        case .added: return
        case .removed(let address): removed = (address.prefix.address, address.interfaceIndex)
        case .lost: removed = (nil, nil)
        }
        for runner in runners {
            await runner.addressRemoved(removed.address, interfaceIndex: removed.interfaceIndex)
        }
    }

    /// A watched interface changed: tracking first (an instance whose interface went away enters
    /// FAULT while it can still say so), then the instances on it are retired or started.
    private func interfaceChanged(_ interface: NetworkInterface) async {
        let present = interface.operationalState != .notPresent
        if interfaceUp[interface.name] != interface.isUsable {
            interfaceUp[interface.name] = interface.isUsable
            let state = present ? interface.isUsable ? "up" : "down (no carrier or administratively down)" : "gone (deleted)"
            logger.notice("interface \(interface.name) is \(state)", metadata: ["interface": "\(interface.name)"])
            await trackingChanged()
        }
        await attach(interfaceNamed: interface.name, index: present ? interface.index : nil, isUp: interface.isUsable)
    }

    /// The interface `name` is present with `index` (up or not), or absent: starts, retires or
    /// reopens its instances.
    private func attach(interfaceNamed name: String, index: Int32?, isUp: Bool) async {
        for position in instances.indices where instances[position].config.interface == name {
            for action in instances[position].attachment.observed(interfaceIndex: index, isUp: isUp) {
                switch action {
                case .retire: await retire(position)
                case .start: await startRunner(position)
                }
            }
        }
    }

    /// The instance's interface is gone: its runner (in FAULT by now) closes its sockets, and its
    /// last status stands for it while it waits.
    private func retire(_ position: Int) async {
        guard let runner = instances[position].runner else { return }
        instances[position].runner = nil
        let config = instances[position].config
        logger.warning(
            "interface \(config.interface) does not exist any more; VRRP instance \(config.name) waits for it",
            metadata: ["interface": "\(config.interface)", "vrrp_instance": "\(config.name)"])
        await runner.finish()
        instances[position].lastStatus = await runner.status
        if configuration.syncGroup(of: config.name) != nil {
            syncGroupChanges?.yield((config.name, VRRPSyncGroup.MemberStatus(state: .fault)))
        }
    }

    /// The instance's interface is there and up: opens the instance on it and starts it with the
    /// tracking now. When that fails (no IPv6 link-local address yet, say), it is tried again a second later
    /// while the interface is there.
    private func startRunner(_ position: Int) async {
        let config = instances[position].config
        guard !stopping else {
            instances[position].attachment.startFailed()
            return
        }
        let runner: VRRPInstanceRunner
        do {
            runner = try makeRunner(config)
        } catch {
            instances[position].attachment.startFailed()
            retryLog.log(
                "VRRP instance \(config.name) cannot start on \(config.interface) yet, trying again every second: \(error)",
                key: config.name, logger: logger)
            retryLater(interfaceNamed: config.interface)
            return
        }
        instances[position].runner = runner
        instances[position].lastStatus = nil
        logger.notice(
            "interface \(config.interface) is there; VRRP instance \(config.name) starts",
            metadata: ["interface": "\(config.interface)", "vrrp_instance": "\(config.name)"])
        await joinSyncGroup(runner)
        if let tracking = trackings()[config.name] { await runner.start(initialTracking: tracking) }
    }

    private func retryLater(interfaceNamed name: String) {
        guard retries[name] == nil else { return }
        retries[name] = Task { [weak self] in
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled else { return }
            await self?.retry(interfaceNamed: name)
        }
    }

    private func retry(interfaceNamed name: String) async {
        retries[name] = nil
        guard !stopping else { return }
        let interface = try? netlink?.interface(named: name)
        await attach(interfaceNamed: name, index: interface?.index, isUp: interface?.isUsable ?? false)
    }

    private func makeRunner(_ config: VRRPInstanceConfig) throws -> VRRPInstanceRunner {
        guard let netlink else { throw VRRPSetupError(instance: config.name, problem: "the speaker has not started") }
        return try VRRPInstanceRunner(
            config: config, node: node, nodes: configuration.nodes, netlink: netlink, hooks: hooks, handoff: handoff, logger: logger,
            syncGroup: configuration.syncGroup(of: config.name)?.name)
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
