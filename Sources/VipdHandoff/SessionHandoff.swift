import FoundationEssentials
import Logging
import NIOConcurrencyHelpers
import VipdConfig
import VipdCore
import VipdNet
#if canImport(Glibc)
import Glibc
#endif

/// The kernel side of keeping sessions across planned moves of virtual addresses, for every VRRP
/// instance of this node: vipd's own nftables tables (see ``HandoffRuleset``), the moved addresses
/// held on `lo`, and `tcp_fwmark_accept` (see ``FwmarkAcceptSetting``), all created by vipd,
/// removed at ``stop()``, and cleaned at start after a crash. Thread-safe; every call is quick.
public final class SessionHandoff: Sendable {
    /// One instance's hand-off, typed: the speaker copies it into the instance's `VRRPInstanceStatus`
    /// (`heldAddresses`, `forwardingTo`, `forwardedSegments`) for the stats and `vipd ctl status`.
    public struct InstanceReport: Sendable, Equatable {
        /// The previous owner that segments of unknown flows are sent to, while owner after a planned move.
        public var forwardingTo: IPAddress?
        /// The virtual addresses this node no longer owns but still serves sessions on.
        public var heldAddresses: [IPAddress]
        /// Segments sent to a previous owner since start.
        public var forwardedSegments: Int
    }

    private struct State {
        var rules: [HandoffInstanceRules]
        var forwardedBefore: [Int]
        /// Set by ``stop()``, or by ``handOver(toSessionServer:)`` (the kernel state is then that process's).
        var stopped = false
        /// Set by ``keepHeldAddresses()``: the held addresses stay until ``stop()``.
        var frozen = false
    }

    /// How long a previous owner serves the sessions it holds (`global.session_drain_limit`).
    public let drainLimit: Duration
    private let originalFwmarkAccept: Int
    private let netlink: RouteNetlink
    private let loopbackIndex: Int32
    private let logger: Logger
    private let state: NIOLockedValueBox<State>
    private let cache = NIOLockedValueBox<(at: ContinuousClock.Instant, counts: [Int: Int])?>(nil)

    /// Sets the kernel up for `configuration`'s VRRP instances on `node`: removes what a crashed run
    /// left, sets `tcp_fwmark_accept`, and installs the marking of new flows. Returns nil (sessions
    /// are then reset at moves, as without it) when no listener is on a virtual address, when
    /// `session_drain_limit` is 0, or when the kernel cannot be set up (logged with the reason).
    public static func start(configuration: VipdConfiguration, node: ClusterNode, logger: Logger) -> SessionHandoff? {
        let rules = configuration.vrrp.map { instance in
            HandoffInstanceRules(
                instance: instance.name, interface: instance.interface, nodeAddress: node.address,
                services: services(of: instance, listeners: configuration.listeners))
        }
        let limit = configuration.global.sessionDrainLimit
        guard limit > .zero, rules.contains(where: { !$0.services.isEmpty }) else { return nil }
        do {
            let netlink = try RouteNetlink()
            let loopback = try netlink.interface(named: "lo")
            let earlier = cleanUpAfterEarlierRun(configuration: configuration, netlink: netlink, loopbackIndex: loopback.index, logger: logger)
            let leftOver = earlier.originalFwmarkAccept
            guard let current = FwmarkAcceptSetting.read() else {
                throw SetupFailure(problem: "cannot read \(FwmarkAcceptSetting.path)")
            }
            let original = leftOver ?? current
            if current != 1 {
                do {
                    try FwmarkAcceptSetting.write(1)
                } catch {
                    throw SetupFailure(problem: "cannot set \(FwmarkAcceptSetting.path) to 1: \(error)")
                }
            }
            var rules = rules
            for index in rules.indices {
                let own = Set(configuration.vrrp[index].virtualAddresses.map(\.address))
                rules[index].heldAddresses = earlier.stillServed.filter { own.contains($0) }
            }
            let handoff = SessionHandoff(
                drainLimit: limit, originalFwmarkAccept: original, netlink: netlink, loopbackIndex: loopback.index, rules: rules,
                sessionServer: earlier.sessionServer, logger: logger)
            try handoff.apply(rules)
            logger.info(
                "sessions are kept across planned moves of virtual addresses (nftables tables \(HandoffRuleset.tableName), tcp_fwmark_accept=1, was \(original))")
            return handoff
        } catch {
            logger.error("sessions will be reset when a virtual address moves: \(error)")
            _ = try? KernelCommand.nft.run(["-f", "-"], input: HandoffRuleset.removalScript)
            return nil
        }
    }

    /// The `vipd serve-sessions` process of an earlier run still serving sessions on addresses held
    /// on `lo` (found at start); nil when there is none.
    public let sessionServer: Int32?

    private init(
        drainLimit: Duration, originalFwmarkAccept: Int, netlink: RouteNetlink, loopbackIndex: Int32,
        rules: [HandoffInstanceRules], sessionServer: Int32?, logger: Logger
    ) {
        self.drainLimit = drainLimit
        self.sessionServer = sessionServer
        self.originalFwmarkAccept = originalFwmarkAccept
        self.netlink = netlink
        self.loopbackIndex = loopbackIndex
        self.logger = logger
        state = NIOLockedValueBox(State(rules: rules, forwardedBefore: Array(repeating: 0, count: rules.count)))
    }

    /// The listeners' addresses and ports on `instance`'s virtual addresses (a wildcard listener
    /// of the same family counts for each of them).
    static func services(of instance: VRRPInstanceConfig, listeners: [ListenerConfig]) -> [SocketEndpoint] {
        let addresses = instance.virtualAddresses.map(\.address)
        return listeners.flatMap { listener in
            addresses.filter(listener.receives).map { SocketEndpoint(address: $0, port: listener.bind.port) }
        }
    }

    /// As new owner after a planned move: sends segments of flows unknown here to `previousOwner`.
    public func forward(instance: String, to previousOwner: IPAddress) throws {
        try update(instance) { $0.forwardTo = previousOwner }
    }

    /// Stops sending segments to a previous owner (its sessions ended, the limit passed, or this node leaves MASTER).
    public func stopForwarding(instance: String) throws {
        try update(instance) { $0.forwardTo = nil }
    }

    /// Whether `instance` sends segments to a previous owner now.
    public func isForwarding(instance: String) -> Bool {
        state.withLockedValue { $0.rules.first { $0.instance == instance }?.forwardTo != nil }
    }

    /// As previous owner: keeps `addresses` on `lo`, unannounced, so the sessions on them go on.
    /// Call before removing them from the interface.
    public func hold(instance: String, addresses: [IPAddress]) throws {
        guard !state.withLockedValue({ $0.stopped || $0.frozen }) else { return }
        try update(instance) { $0.heldAddresses = addresses }
        for address in addresses {
            _ = try netlink.addAddress(IPPrefix.host(address), interfaceIndex: loopbackIndex)
        }
    }

    /// Takes `instance`'s held addresses off `lo` (its sessions ended, or it owns them again).
    public func release(instance: String) throws {
        // Once stopped, frozen or handed to a session server, the held addresses are no longer ours to remove.
        guard let held = state.withLockedValue({ state in
            state.stopped || state.frozen ? nil : state.rules.first { $0.instance == instance }?.heldAddresses
        }) else { return }
        for address in held {
            _ = try netlink.removeAddress(IPPrefix.host(address), interfaceIndex: loopbackIndex)
        }
        try update(instance) { $0.heldAddresses = [] }
    }

    /// The addresses `instance` holds on `lo` now.
    public func heldAddresses(instance: String) -> [IPAddress] {
        state.withLockedValue { $0.rules.first { $0.instance == instance }?.heldAddresses ?? [] }
    }

    /// `instance`'s hand-off now (nil for an instance it does not know). The nftables counters are
    /// read at most once a second, whoever asks.
    public func report(instance: String) -> InstanceReport? {
        let counted = forwardedCounts()
        return state.withLockedValue { state in
            guard let index = state.rules.firstIndex(where: { $0.instance == instance }) else { return nil }
            let rule = state.rules[index]
            return InstanceReport(
                forwardingTo: rule.forwardTo, heldAddresses: rule.heldAddresses,
                forwardedSegments: state.forwardedBefore[index] + (counted[index] ?? 0))
        }
    }

    private func forwardedCounts() -> [Int: Int] {
        let now = ContinuousClock.now
        if let cached = cache.withLockedValue({ $0 }), cached.at.duration(to: now) < .seconds(1) { return cached.counts }
        let counts = (try? Self.forwardedCounters()) ?? [:]
        cache.withLockedValue { $0 = (now, counts) }
        return counts
    }

    /// Removes every table and held address and restores `tcp_fwmark_accept`; later calls, and calls
    /// after ``handOver(toSessionServer:)``, do nothing.
    public func stop() {
        let rules: [HandoffInstanceRules]? = state.withLockedValue { state in
            guard !state.stopped else { return nil }
            state.stopped = true
            return state.rules
        }
        guard let rules else { return }
        restoreFwmarkAccept()
        Self.removeKernelState(heldAddresses: rules.flatMap(\.heldAddresses), netlink: netlink, loopbackIndex: loopbackIndex, logger: logger)
    }

    /// Takes `heldAddresses` off `lo` and removes vipd's tables: at stop, and in `vipd serve-sessions`
    /// when it is done with the state a stopped vipd left it.
    public static func removeKernelState(heldAddresses: [IPAddress], netlink: RouteNetlink, loopbackIndex: Int32, logger: Logger) {
        for address in heldAddresses {
            _ = try? netlink.removeAddress(IPPrefix.host(address), interfaceIndex: loopbackIndex)
        }
        do {
            try KernelCommand.nft.run(["-f", "-"], input: HandoffRuleset.removalScript)
        } catch {
            logger.error("cannot remove the nftables tables \(HandoffRuleset.tableName): \(error)")
        }
    }

    /// At stop, before the sessions are taken from their channels to be handed on: from now on the
    /// held addresses stay (``release(instance:)`` does nothing) until ``stop()`` or the hand-over.
    public func keepHeldAddresses() {
        state.withLockedValue { $0.frozen = true }
    }

    /// At stop, with sessions still served on held addresses: from now on process `pid` (`vipd
    /// serve-sessions`) serves them. The tables keep only the held addresses' ARP rules and name
    /// that process; ``stop()`` then leaves them and the addresses on `lo` to it.
    public func handOver(toSessionServer pid: Int32) throws {
        try state.withLockedValue { state in
            guard !state.stopped else { return }
            var rules = state.rules
            for index in rules.indices {
                rules[index].forwardTo = nil
                rules[index].services = []
            }
            try KernelCommand.nft.run(
                ["-f", "-"],
                input: HandoffRuleset(instances: rules, originalFwmarkAccept: originalFwmarkAccept, sessionServer: pid).script)
            state.rules = rules
            state.stopped = true
        }
        restoreFwmarkAccept()
    }

    /// The addresses held on `lo` for sessions now, whatever the instance.
    public var allHeldAddresses: [IPAddress] {
        state.withLockedValue { $0.rules.flatMap(\.heldAddresses) }
    }

    /// Returns once the ``sessionServer`` process has exited (checked every second).
    public func sessionServerEnded() async {
        guard let pid = sessionServer else { return }
        while kill(pid, 0) == 0 || errno == EPERM {
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func restoreFwmarkAccept() {
        if originalFwmarkAccept != 1 {
            do {
                try FwmarkAcceptSetting.write(originalFwmarkAccept)
            } catch {
                logger.error("cannot restore \(FwmarkAcceptSetting.path) to \(originalFwmarkAccept): \(error)")
            }
        }
    }

    // MARK: - Kernel

    private func update(_ instance: String, _ change: (inout HandoffInstanceRules) -> Void) throws {
        try state.withLockedValue { state in
            guard !state.stopped, let index = state.rules.firstIndex(where: { $0.instance == instance }) else { return }
            var rules = state.rules
            change(&rules[index])
            guard rules != state.rules else { return }
            // Replacing the tables resets their counters: keep what they counted.
            if let counted = try? Self.forwardedCounters() {
                for (index, count) in counted where index < state.forwardedBefore.count { state.forwardedBefore[index] += count }
            }
            cache.withLockedValue { $0 = nil }
            try apply(rules)
            state.rules = rules
        }
    }

    private func apply(_ rules: [HandoffInstanceRules]) throws {
        // (The process that serves sessions of an earlier run looks for its pid in the comment: it is no longer there.)
        try KernelCommand.nft.run(["-f", "-"], input: HandoffRuleset(instances: rules, originalFwmarkAccept: originalFwmarkAccept).script)
    }

    /// Segments counted by each instance's counter now, summed over the `ip` and `ip6` tables.
    private static func forwardedCounters() throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for family in ["ip", "ip6"] {
            guard let listing = try? KernelCommand.nft.run(["-j", "list", "counters", "table", family, HandoffRuleset.tableName]) else { continue }
            for (index, packets) in HandoffRuleset.forwardedCounts(inJSON: listing) { counts[index, default: 0] += packets }
        }
        return counts
    }

    private static func hostPrefix(_ address: IPAddress) -> IPPrefix {
        IPPrefix(address: address, length: address.bytes.count * 8)!
    }

    /// What an earlier run left: the `tcp_fwmark_accept` it recorded, and its session server with
    /// the addresses it still serves sessions on, when that process still runs.
    private struct EarlierRun {
        var originalFwmarkAccept: Int?
        var sessionServer: Int32?
        var stillServed: [IPAddress] = []
    }

    /// Removes the tables and `lo` addresses an earlier run left, except the addresses a still
    /// running session server of that run serves sessions on (they stay held, by this run now).
    private static func cleanUpAfterEarlierRun(
        configuration: VipdConfiguration, netlink: RouteNetlink, loopbackIndex: Int32, logger: Logger
    ) -> EarlierRun {
        var earlier = EarlierRun()
        if let listing = try? KernelCommand.nft.run(["list", "table", "ip", HandoffRuleset.tableName]) {
            earlier.originalFwmarkAccept = HandoffRuleset.originalFwmarkAccept(inListing: listing)
            if let pid = HandoffRuleset.sessionServer(inListing: listing), SessionServerProcess.isRunning(pid) {
                earlier.sessionServer = pid
                earlier.stillServed = HandoffRuleset.heldAddresses(inListing: listing)
                logger.notice(
                    "vipd serve-sessions (pid \(pid)) still serves sessions on \(earlier.stillServed.map(\.description).joined(separator: ", ")): they stay on lo until it ends")
            } else {
                logger.warning("removed the nftables tables \(HandoffRuleset.tableName) left by an earlier run")
            }
        }
        if earlier.sessionServer == nil {
            _ = try? KernelCommand.nft.run(["-f", "-"], input: HandoffRuleset.removalScript)
        }
        let onLoopback = Set(((try? netlink.addresses(interfaceIndex: loopbackIndex)) ?? []).map(\.prefix.address))
        for address in configuration.vrrp.flatMap({ $0.virtualAddresses.map(\.address) })
        where onLoopback.contains(address) && !earlier.stillServed.contains(address) {
            if (try? netlink.removeAddress(IPPrefix.host(address), interfaceIndex: loopbackIndex)) == true {
                logger.warning("removed \(address) from lo, left there by an earlier run")
            }
        }
        return earlier
    }

    private struct SetupFailure: Error, CustomStringConvertible {
        var problem: String
        var description: String { problem }
    }
}
