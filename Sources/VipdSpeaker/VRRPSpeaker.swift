import Logging
import VipdConfig
import VipdHandoff
import VipdNet
import VipdVRRP

/// Every VRRP instance of this node, with the tracking they share: interfaces (through a netlink
/// link monitor), the proxy's pools and the track scripts. Each instance also tracks its own
/// interface with weight 0 (link down → FAULT), as keepalived does.
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
    private var addressMonitor: AddressMonitor?
    private var addressWatcher: Task<Void, Never>?
    private var interfaceUp: [String: Bool] = [:]

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
                    handoff: handoff, logger: logger))
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
        for runner in runners {
            await runner.start(initialTracking: tracking(for: runner.config))
        }
    }

    /// Each instance's name and state now, in configuration order (for the daemon's status line).
    public func instanceStates() async -> [(name: String, state: VRRPState)] {
        var states: [(name: String, state: VRRPState)] = []
        for runner in runners { states.append((runner.config.name, await runner.state)) }
        return states
    }

    /// Each instance's report (state, priorities, master, recent transitions), in configuration order.
    public func instanceReports() async -> [VRRPInstanceReport] {
        var reports: [VRRPInstanceReport] = []
        for runner in runners { reports.append(await runner.report) }
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
        await withTaskGroup(of: Void.self) { group in
            for runner in runners {
                group.addTask { _ = await runner.handOver() }
            }
        }
        finish()
    }

    /// Immediate stop: masters send priority 0 and release their addresses.
    public func stop() async {
        for runner in runners { await runner.stop() }
        finish()
    }

    private func finish() {
        linkWatcher?.cancel()
        linkMonitor?.stop()
        addressWatcher?.cancel()
        addressMonitor?.stop()
        for script in scripts.values { script.stop() }
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

    private func interfaceChanged(_ interface: NetworkInterface) async {
        guard interfaceUp[interface.name] != interface.isUsable else { return }
        interfaceUp[interface.name] = interface.isUsable
        logger.notice(
            "interface \(interface.name) is \(interface.isUsable ? "up" : "down (no carrier or administratively down)")",
            metadata: ["interface": "\(interface.name)"])
        await trackingChanged()
    }

    private func trackingChanged() async {
        for runner in runners {
            await runner.trackingChanged(tracking(for: runner.config))
        }
    }

    /// The instance's effective priority or fault from everything it tracks.
    private func tracking(for instance: VRRPInstanceConfig) -> TrackedPriority {
        var objects = [TrackedObjectConfig(kind: .interface, name: instance.interface, weight: 0)]
        objects += instance.track.filter { !($0.kind == .interface && $0.name == instance.interface) }
        let statuses = objects.map { object in
            let isUp: Bool =
                switch object.kind {
                case .interface: interfaceUp[object.name] ?? false
                case .pool: pools.hasServerUp(object.name) ?? false
                case .script: scripts[object.name]?.isUp ?? false
                }
            return TrackedObjectStatus(object: object, isUp: isUp)
        }
        return TrackedPriority(base: UInt8(node.priority), tracking: statuses)
    }
}
