import Logging
import VipdConfig
import VipdCore
import VipdHandoff
import VipdNet
import VipdVRRP
import VipdVRRPPacket

#if canImport(Glibc)
import Glibc
#endif

/// One VRRP instance at work on this node: the pure `VRRPStateMachine` driven by the raw socket,
/// a timer, tracking and the daemon, with its actions carried out on the kernel (netlink addresses,
/// adverts, gratuitous ARP / NA) and reported to the daemon (peer gone silent, addresses leaving).
public actor VRRPInstanceRunner {
    /// What the daemon does for the instance.
    public struct Hooks: Sendable {
        /// The virtual addresses are about to leave this node and their sessions cannot be kept:
        /// reset the connections accepted on them, and return once the resets are sent (bounded),
        /// while the addresses are still here.
        public var addressesLeaving: @Sendable (Set<IPAddress>) async -> Void
        /// The virtual addresses left this node in a planned move and their sessions go on here:
        /// return once every connection accepted on them ended, or after `limit` when the ones
        /// still open are reset. Returns how many were open and how many were reset.
        public var sessionsEnded: @Sendable (_ addresses: Set<IPAddress>, _ limit: Duration) async -> (open: Int, reset: Int)
        /// We took over because this master went silent: take its node's servers down.
        public var peerWentSilent: @Sendable (IPAddress) async -> Void

        public init(
            addressesLeaving: @escaping @Sendable (Set<IPAddress>) async -> Void = { _ in },
            sessionsEnded: @escaping @Sendable (Set<IPAddress>, Duration) async -> (open: Int, reset: Int) = { _, _ in (0, 0) },
            peerWentSilent: @escaping @Sendable (IPAddress) async -> Void = { _ in }
        ) {
            self.addressesLeaving = addressesLeaving
            self.sessionsEnded = sessionsEnded
            self.peerWentSilent = peerWentSilent
        }
    }

    public let config: VRRPInstanceConfig
    /// The address this instance sends its advertisements from.
    public nonisolated let sourceAddress: IPAddress
    private var machine: VRRPStateMachine<ContinuousClock>
    private let interface: NetworkInterface
    private let netlink: RouteNetlink
    private let socket: VRRPSocket
    private let announcer: AddressAnnouncer
    private let hooks: Hooks
    private let handoff: SessionHandoff?
    private let notify: NotifyRunner
    private let logger: Logger
    private var timer: Task<Void, Never>?
    private var announcements: Task<Void, Never>?
    private var receiver: Task<Void, Never>?
    /// Ends the forwarding to a previous owner when `session_drain_limit` has passed.
    private var forwardingExpiry: Task<Void, Never>?
    /// Serves the sessions left on moved addresses until they end, then takes the addresses off `lo`.
    private var heldSessions: Task<Void, Never>?
    private var handoverWaiters: [CheckedContinuation<IPAddress?, Never>] = []
    private var decodeErrors: [String: Int] = [:]
    /// While the daemon resets the connections on addresses leaving: the actions that wait for it
    /// (nil when no reset is under way).
    private var actionsAfterReset: [VRRPStateMachine<ContinuousClock>.Action]?
    /// Resumed once no reset is under way.
    private var resetWaiters: [CheckedContinuation<Void, Never>] = []
    private var dropLog = RateLimitedLog()
    /// Puts back the virtual addresses another program removes while master.
    private var keeper: VirtualAddressKeeper<ContinuousClock.Instant>
    /// The check a removal notification asked for, after `VirtualAddressKeeper.settleDelay`.
    private var keeperCheck: Task<Void, Never>?
    private var restoreLog = RateLimitedLog()
    /// Newest first, at most `VRRPInstanceStatus.transitionsKept`.
    private var recentTransitions: [VRRPInstanceStatus.Transition] = []
    /// In a sync group: told every change of the state or of the wish to become master.
    private var syncGroupObserver: (@Sendable (VRRPSyncGroup.MemberStatus) -> Void)?
    private var syncGroupStatus: VRRPSyncGroup.MemberStatus?

    /// Opens the instance's sockets on `interface` (which must exist) for `node`. With `handoff`,
    /// planned moves keep the sessions; without it they are reset. In `syncGroup`, it becomes master
    /// only when the group says so (see `observeSyncGroup`).
    public init(
        config: VRRPInstanceConfig, node: ClusterNode, nodes: [ClusterNode], netlink: RouteNetlink,
        hooks: Hooks, handoff: SessionHandoff?, logger: Logger, syncGroup: String? = nil
    ) throws {
        self.config = config
        self.netlink = netlink
        self.hooks = hooks
        self.handoff = handoff
        var logger = logger
        logger[metadataKey: "vrrp_instance"] = "\(config.name)"
        self.logger = logger
        interface = try netlink.interface(named: config.interface)
        let multicastIPv6 = config.family == .v6 && !config.unicast
        let primary: IPAddress
        if multicastIPv6 {
            guard let linkLocal = try netlink.primaryAddress(interfaceIndex: interface.index, family: .v6) else {
                throw VRRPSetupError(instance: config.name, problem: "\(config.interface) has no IPv6 link-local address to send VRRPv3 adverts from")
            }
            primary = linkLocal
        } else {
            primary = node.address
        }
        sourceAddress = primary
        machine = VRRPStateMachine(
            settings: VRRPInstanceSettings(
                instance: config, node: node, nodes: nodes, primaryAddress: primary, syncGroup: syncGroup))
        socket = try VRRPSocket(family: config.family, interface: interface, sourceAddress: primary, joinMulticast: !config.unicast)
        announcer = try AddressAnnouncer(interface: interface)
        notify = NotifyRunner(instance: config.name, config: config.notify, logger: logger)
        keeper = VirtualAddressKeeper(addresses: config.virtualAddresses)
    }

    /// The state now.
    public var state: VRRPState { machine.state }

    /// Every datagram the instance's VRRP socket has received (the monitor compares it with the wire).
    public nonisolated var socketReceivedCount: Int { socket.receivedCount }

    /// The priority advertised now (after tracking).
    public var effectivePriority: UInt8 { machine.effectivePriority }

    /// State, priorities, master, recent transitions and the hand-off now; the sync group and the
    /// sessions still open on moved addresses are for the caller to fill in.
    public var status: VRRPInstanceStatus {
        let isMasterHere = machine.state == .master
        var status = VRRPInstanceStatus(
            config: config, state: machine.state, priority: machine.settings.priority, effectivePriority: machine.effectivePriority,
            masterAddress: isMasterHere ? sourceAddress : machine.masterAddress, masterIsThisNode: isMasterHere,
            faultReason: machine.faultReason, held: machine.isHeld, counters: machine.counters, recentTransitions: recentTransitions,
            restoredAddresses: keeper.restoredCount)
        if let handoff = handoff?.report(instance: config.name) {
            status.heldAddresses = handoff.heldAddresses.map(\.description)
            status.forwardingTo = handoff.forwardingTo?.description
            status.forwardedSegments = handoff.forwardedSegments
        }
        return status
    }

    /// Everything counted: adverts, drops per reason, transitions; decode failures per reason.
    public var counters: (protocol: VRRPCounters, decodeErrors: [String: Int]) { (machine.counters, decodeErrors) }

    /// Removes virtual addresses left on the interface by an earlier run, checks that each one lies in
    /// a subnet of the interface, and starts the protocol (`fault` pending when tracking says so).
    public func start(initialTracking: TrackedPriority) async {
        if let present = try? netlink.addresses(interfaceIndex: interface.index) {
            removeStaleAddresses(present)
            warnAboutForeignSubnets(present)
        }
        apply(initialTracking, starting: true)
        serveSessionsOfEarlierRun()
        perform(machine.start(now: .now))
        let datagrams = socket.datagrams
        receiver = Task { [weak self] in
            for await datagram in datagrams {
                await self?.received(datagram)
            }
        }
    }

    /// Tracking changed: FAULT, or a new effective priority.
    public func trackingChanged(_ tracking: TrackedPriority) {
        apply(tracking, starting: false)
    }

    /// An address was removed from the interface with index `interfaceIndex` (`address` nil:
    /// address notifications were lost, any may have gone). While master, a virtual address of
    /// this instance is put back a moment later unless vipd removed it itself.
    public func addressRemoved(_ address: IPAddress?, interfaceIndex: Int32?) {
        if let interfaceIndex, interfaceIndex != interface.index { return }
        guard let checkAt = keeper.removalNotified(of: address, now: .now) else { return }
        keeperCheck?.cancel()
        keeperCheck = Task { [weak self] in
            try? await Task.sleep(until: checkAt, clock: .continuous)
            guard !Task.isCancelled else { return }
            await self?.keepAddresses()
        }
    }

    /// vipd's planned stop: as master, advertise priority 0 but keep serving until the new master's
    /// first advert (or the handover timeout), then release the addresses. Returns the new master.
    public func handOver() async -> IPAddress? {
        let actions = machine.beginHandover(now: .now)
        return await withCheckedContinuation { continuation in
            handoverWaiters.append(continuation)
            perform(actions)
        }
    }

    /// Whether the operator's hold keeps this instance out of the master role (`vipd ctl handover`).
    public var isHeld: Bool { machine.isHeld }

    /// The operator's planned failover: a master gives the addresses away make-before-break and
    /// returns once another router advertises (its address) or the handover timeout passed (nil:
    /// it stays master and the hold is dropped); any other state just holds (nil at once). From
    /// then on the instance does not become master until ``releaseHold()``.
    public func hold() async -> IPAddress? {
        let actions = machine.hold(now: .now)
        guard machine.isHandingOver else {
            perform(actions)
            return nil
        }
        logger.notice("\(config.name): handing the virtual addresses over (vipd ctl handover), then staying BACKUP until vipd ctl ready")
        return await withCheckedContinuation { continuation in
            handoverWaiters.append(continuation)
            perform(actions)
        }
    }

    /// In a sync group: `observer` gets the instance's state and wish to become master now and at
    /// every change (see `VRRPSyncGroup`).
    public func observeSyncGroup(_ observer: @escaping @Sendable (VRRPSyncGroup.MemberStatus) -> Void) {
        syncGroupObserver = observer
        reportSyncGroupStatus()
    }

    /// The sync group's decision: every member would become master, so this one does.
    public func syncGroupMaster() {
        perform(machine.syncGroupMaster(now: .now))
    }

    /// The sync group's decision: `member` is in `memberState`, so this master goes to BACKUP.
    public func syncGroupBackup(member: String, memberState: VRRPState) {
        perform(machine.syncGroupBackup(member: member, memberState: memberState, now: .now))
    }

    private func reportSyncGroupStatus() {
        guard let syncGroupObserver else { return }
        let status = VRRPSyncGroup.MemberStatus(state: machine.state, wantsMaster: machine.wantsMaster)
        guard status != syncGroupStatus else { return }
        syncGroupStatus = status
        syncGroupObserver(status)
    }

    /// Ends the operator's hold: the instance takes part in the election again.
    public func releaseHold() {
        guard machine.isHeld else { return }
        logger.notice("\(config.name): hold released (vipd ctl ready), taking part in the election again")
        perform(machine.releaseHold(now: .now))
    }

    /// Stops at once (keepalived's stop): a master sends priority 0 and releases the addresses.
    public func stop() async {
        perform(machine.shutdown(now: .now))
        await finish()
    }

    /// Closes the sockets and cancels the timers, once a reset of connections under way is over.
    public func finish() async {
        while actionsAfterReset != nil {
            await withCheckedContinuation { resetWaiters.append($0) }
        }
        timer?.cancel()
        announcements?.cancel()
        keeperCheck?.cancel()
        receiver?.cancel()
        socket.close()
    }

    // MARK: - Events

    private func received(_ datagram: VRRPDatagram) {
        let packet: VRRPReceivedPacket
        do {
            packet = try VRRPPacketCodec.decode(
                datagram.message, source: datagram.source, destination: datagram.destination, hopLimit: datagram.hopLimit)
        } catch {
            decodeErrors[error.counterKey, default: 0] += 1
            dropLog.log("dropped a VRRP packet from \(datagram.source): \(error)", key: error.counterKey, logger: logger)
            return
        }
        perform(machine.advertisementReceived(packet, now: .now))
    }

    private func timerFired() {
        perform(machine.timerFired(now: .now))
    }

    private func apply(_ tracking: TrackedPriority, starting: Bool) {
        let now = ContinuousClock.now
        switch tracking {
        case .fault(let reasons):
            guard machine.faultReason == nil || starting else { return }
            perform(machine.faultDetected(reason: reasons.joined(separator: ", "), now: now))
        case .priority(let priority):
            if machine.faultReason != nil, !starting {
                perform(machine.priorityChanged(to: priority, now: now))
                perform(machine.faultCleared(now: now))
            } else if priority != machine.effectivePriority {
                if !starting {
                    logger.notice("\(config.name): effective priority \(machine.effectivePriority) -> \(priority)")
                }
                perform(machine.priorityChanged(to: priority, now: now))
            }
        }
    }

    // MARK: - Actions

    /// Carries out `actions` in order, after those waiting for a reset of connections under way.
    private func perform(_ actions: [VRRPStateMachine<ContinuousClock>.Action]) {
        guard actionsAfterReset == nil else {
            actionsAfterReset?.append(contentsOf: actions)
            return
        }
        for (index, action) in actions.enumerated() {
            switch action {
            case .sendAdvertisement(let advertisement):
                send(advertisement)
                keepAddresses()
            case .addVirtualAddresses(let previousOwner):
                forwardSessions(to: previousOwner)
                addAddresses()
                takeBackHeldAddresses()
            case .removeVirtualAddresses(let keepSessions):
                stopForwarding()
                if keepSessions, let handoff, holdSessions(handoff) {
                    removeAddresses()
                } else {
                    resetSessionsThenRemoveAddresses(then: Array(actions[(index + 1)...]))
                    reportSyncGroupStatus()
                    return
                }
            case .announceVirtualAddresses:
                announce()
            case .wakeUp(let deadline):
                timer?.cancel()
                timer = Task { [weak self] in
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    guard !Task.isCancelled else { return }
                    await self?.timerFired()
                }
            case .cancelWakeUp:
                timer?.cancel()
                timer = nil
            case .transition(let transition):
                logger.notice(
                    "\(transition.logLine(instance: config.name))",
                    metadata: ["vrrp_state": "\(transition.to)", "vrrp_previous_state": "\(transition.from)"])
                notify.run(transition, priority: machine.effectivePriority)
                recentTransitions = VRRPInstanceStatus.recent(recentTransitions, adding: .init(transition, at: WallClock.sinceEpoch() / .seconds(1)))
                if transition.to != .master { announcements?.cancel() }
            case .peerWentSilent(let peer):
                let hook = hooks.peerWentSilent
                Task { await hook(peer) }
            case .drop(let reason, let sender):
                dropLog.log(
                    "\(config.name): \(reason.description(sender: sender))", key: reason.counterKey,
                    level: reason.isAnotherVirtualRouter ? .debug : .warning, logger: logger)
            case .noMasterWhileInFault(let silentFor):
                logger.error(
                    "\(config.name): in FAULT (\(machine.faultReason ?? "fault")) and no node has advertised as master for \(silentFor.secondsText): nobody holds \(config.virtualAddresses.map(\.address.description).joined(separator: ", "))",
                    metadata: ["vrrp_state": "FAULT"])
            case .masterHeardWhileInFault(let master):
                logger.notice("\(config.name): \(master) advertises as master again; this node stays in FAULT")
            case .handoverFinished(let newMaster):
                logger.notice(
                    "\(config.name): handover finished\(newMaster.map { ", \($0) is master" } ?? " without hearing a new master")")
                for waiter in handoverWaiters { waiter.resume(returning: newMaster) }
                handoverWaiters = []
            }
        }
        reportSyncGroupStatus()
    }

    private func send(_ advertisement: VRRPAdvertisement) {
        let settings = machine.settings
        let destinations: [IPAddress] =
            settings.unicastPeers.isEmpty ? [VRRPPacketCodec.multicastGroup(config.family)] : settings.unicastPeers
        for destination in destinations {
            let message = VRRPPacketCodec.encode(advertisement, source: settings.primaryAddress, destination: destination)
            do {
                try socket.send(message, to: destination)
            } catch {
                dropLog.log("\(config.name): cannot send an advert to \(destination): \(error)", key: "send", logger: logger)
            }
        }
    }

    private func addAddresses() {
        for prefix in config.virtualAddresses {
            do {
                if try netlink.addAddress(prefix, interfaceIndex: interface.index) {
                    logger.notice("\(config.name): added \(prefix) to \(config.interface)")
                }
            } catch {
                logger.error("\(config.name): cannot add \(prefix) to \(config.interface): \(error)")
            }
        }
        keeper.added(now: .now)
    }

    /// While master, when a check is due: puts back the virtual addresses another program removed,
    /// and announces them again.
    private func keepAddresses() {
        let now = ContinuousClock.now
        guard keeper.isCheckDue(now: now) else { return }
        let present: [InterfaceAddress]
        do {
            present = try netlink.addresses(interfaceIndex: interface.index)
        } catch {
            restoreLog.log("\(config.name): cannot read the addresses of \(config.interface): \(error)", key: "read", logger: logger)
            return
        }
        var restoredAny = false
        for prefix in keeper.check(present: present.map(\.prefix.address), now: now) {
            do {
                try netlink.addAddress(prefix, interfaceIndex: interface.index)
            } catch {
                restoreLog.log(
                    "\(config.name): \(prefix) was removed from \(config.interface) by another program and cannot be put back: \(error)",
                    key: "add \(prefix)", level: .error, logger: logger)
                continue
            }
            restoredAny = true
            if keeper.restored(prefix) {
                logger.error(
                    "\(config.name): \(prefix) was removed from \(config.interface) by another program while this node is MASTER; vipd put it back and announced it again. Tell whatever reconfigures \(config.interface) to leave addresses it did not add alone: systemd-networkd: KeepConfiguration=yes in the [Network] section of its .network file; NetworkManager: do not reapply or re-activate its connection while vipd runs (or make the device unmanaged); no ip addr flush or ifdown on it",
                    metadata: ["vip": "\(prefix.address)", "interface": "\(config.interface)"])
            } else {
                restoreLog.log(
                    "\(config.name): \(prefix) was removed from \(config.interface) by another program again; put back (\(keeper.restoredCount) restore(s) so far)",
                    key: "restored \(prefix)", logger: logger)
            }
        }
        if restoredAny { announce() }
    }

    /// The addresses leave and their sessions cannot be kept: the daemon resets the connections
    /// first, while the addresses are still ours, so that the RSTs leave with the right source;
    /// `rest`, and the actions that come meanwhile, are carried out after the removal, in order.
    private func resetSessionsThenRemoveAddresses(then rest: [VRRPStateMachine<ContinuousClock>.Action]) {
        keeper.removing()
        keeperCheck?.cancel()
        actionsAfterReset = rest
        let addressesLeaving = hooks.addressesLeaving
        let addresses = Set(config.virtualAddresses.map(\.address))
        Task { [weak self] in
            await addressesLeaving(addresses)
            await self?.removeAddressesAfterReset()
        }
    }

    private func removeAddressesAfterReset() {
        removeAddresses()
        let waiting = actionsAfterReset ?? []
        actionsAfterReset = nil
        perform(waiting)
        guard actionsAfterReset == nil else { return }
        for waiter in resetWaiters { waiter.resume() }
        resetWaiters = []
    }

    private func removeAddresses() {
        keeper.removing()
        keeperCheck?.cancel()
        for prefix in config.virtualAddresses {
            do {
                if try netlink.removeAddress(prefix, interfaceIndex: interface.index) {
                    logger.notice("\(config.name): removed \(prefix) from \(config.interface)")
                }
            } catch .netlinkRequest(_, _, ENODEV, _) {
                // The interface is gone, and its addresses with it.
            } catch {
                logger.error("\(config.name): cannot remove \(prefix) from \(config.interface): \(error)")
            }
        }
    }

    // MARK: - Sessions across planned moves

    /// As new owner after a planned move: segments of flows unknown here go to the previous owner,
    /// installed before the addresses arrive, for at most `session_drain_limit`.
    private func forwardSessions(to previousOwner: IPAddress?) {
        guard let handoff, let previousOwner, previousOwner != sourceAddress else { return }
        let present = (try? netlink.addresses(interfaceIndex: interface.index)) ?? []
        guard previousOwner.isIPv6LinkLocal || present.contains(where: { $0.prefix.length < $0.prefix.address.bytes.count * 8 && $0.prefix.contains(previousOwner) }) else {
            logger.warning(
                "\(config.name): the previous master \(previousOwner) is not on a subnet of \(config.interface): the sessions it serves cannot be forwarded to it")
            return
        }
        do {
            try handoff.forward(instance: config.name, to: previousOwner)
        } catch {
            logger.error("\(config.name): cannot forward the sessions of \(previousOwner) to it: \(error)")
            return
        }
        logger.notice(
            "\(config.name): segments of sessions that \(previousOwner) still serves are sent to it (for at most \(handoff.drainLimit.secondsText))")
        let limit = handoff.drainLimit
        forwardingExpiry?.cancel()
        forwardingExpiry = Task { [weak self] in
            try? await Task.sleep(for: limit)
            guard !Task.isCancelled else { return }
            await self?.stopForwarding()
        }
    }

    private func stopForwarding() {
        forwardingExpiry?.cancel()
        forwardingExpiry = nil
        guard let handoff, handoff.isForwarding(instance: config.name) else { return }
        do {
            try handoff.stopForwarding(instance: config.name)
        } catch {
            logger.error("\(config.name): cannot stop forwarding segments to the previous master: \(error)")
        }
    }

    /// Owner again: the addresses held on `lo` for earlier sessions leave it (they are on the interface now).
    private func takeBackHeldAddresses() {
        heldSessions?.cancel()
        heldSessions = nil
        guard let handoff, !handoff.heldAddresses(instance: config.name).isEmpty else { return }
        do {
            try handoff.release(instance: config.name)
        } catch {
            logger.error("\(config.name): cannot remove the virtual addresses from lo: \(error)")
        }
    }

    /// A planned move away: keeps the addresses on `lo` and serves their sessions until they end or
    /// the limit passes. False when that cannot be set up (the sessions are then reset).
    private func holdSessions(_ handoff: SessionHandoff) -> Bool {
        let addresses = config.virtualAddresses.map(\.address)
        do {
            try handoff.hold(instance: config.name, addresses: addresses)
        } catch {
            logger.error("\(config.name): cannot keep the sessions on \(addresses.map(\.description).joined(separator: ", ")): \(error)")
            try? handoff.release(instance: config.name)
            return false
        }
        let limit = handoff.drainLimit
        logger.notice(
            "\(config.name): the sessions on \(addresses.map(\.description).joined(separator: ", ")) go on here after the move (addresses kept on lo, unannounced) until they end, at most \(limit.secondsText)")
        let sessionsEnded = hooks.sessionsEnded
        let logger = logger
        let name = config.name
        let list = addresses.map(\.description).joined(separator: ", ")
        heldSessions?.cancel()
        heldSessions = Task { [weak self] in
            let (open, reset) = await sessionsEnded(Set(addresses), limit)
            // A session server of an earlier run may serve sessions on these addresses too.
            await handoff.sessionServerEnded()
            guard !Task.isCancelled else { return }
            if reset > 0 {
                logger.notice("\(name): reset \(reset) of \(open) session(s) on \(list) still open after session_drain_limit (\(limit.secondsText))")
            } else if open > 0 {
                logger.notice("\(name): the last of \(open) session(s) on \(list) served since the move ended")
            }
            await self?.releaseHeldAddresses()
        }
        return true
    }

    /// At start: the addresses an earlier run's session server still serves sessions on stay on
    /// `lo` until that process ends (or this node owns them again).
    private func serveSessionsOfEarlierRun() {
        guard let handoff, let server = handoff.sessionServer, !handoff.heldAddresses(instance: config.name).isEmpty else { return }
        logger.notice(
            "\(config.name): vipd serve-sessions (pid \(server)) still serves sessions on \(handoff.heldAddresses(instance: config.name).map(\.description).joined(separator: ", ")), kept on lo until it ends")
        heldSessions = Task { [weak self] in
            await handoff.sessionServerEnded()
            guard !Task.isCancelled else { return }
            await self?.releaseHeldAddresses()
        }
    }

    private func releaseHeldAddresses() {
        heldSessions = nil
        guard let handoff else { return }
        do {
            try handoff.release(instance: config.name)
        } catch {
            logger.error("\(config.name): cannot remove the virtual addresses from lo: \(error)")
        }
    }

    /// The bursts of `AnnouncementSchedule`, from now on while master: `count` announcements per
    /// address `interval` apart, another burst `repeat_after` later, and `refresh_count` every `refresh`.
    private func announce() {
        announcements?.cancel()
        let schedule = AnnouncementSchedule(config.announcements)
        let interval = config.announcements.interval
        let announcer = announcer
        let addresses = config.virtualAddresses.map(\.address)
        let logger = logger
        let name = config.name
        announcements = Task {
            let start = ContinuousClock.now
            for burst in schedule {
                try? await Task.sleep(until: start + burst.at, clock: .continuous)
                for round in 0..<burst.count {
                    guard !Task.isCancelled else { return }
                    if round > 0, interval > .zero { try? await Task.sleep(for: interval) }
                    for address in addresses {
                        do {
                            if address.family == .v4 {
                                try announcer.gratuitousARP(for: address)
                            } else {
                                try announcer.unsolicitedNeighborAdvertisement(for: address)
                            }
                        } catch {
                            logger.warning("\(name): cannot announce \(address): \(error)")
                        }
                    }
                }
                guard !Task.isCancelled else { return }
            }
        }
    }

    private func removeStaleAddresses(_ present: [InterfaceAddress]) {
        for prefix in config.virtualAddresses where present.contains(where: { $0.prefix.address == prefix.address }) {
            if (try? netlink.removeAddress(prefix, interfaceIndex: interface.index)) == true {
                logger.warning("\(config.name): removed \(prefix) from \(config.interface), left there by an earlier run")
            }
        }
    }

    private func warnAboutForeignSubnets(_ present: [InterfaceAddress]) {
        let own = present.filter { !config.virtualAddresses.map(\.address).contains($0.prefix.address) }
        for prefix in config.virtualAddresses where !own.contains(where: { $0.prefix.contains(prefix.address) }) {
            logger.warning(
                "\(config.name): virtual address \(prefix.address) is outside every subnet of \(config.interface) (\(own.map(\.prefix.description).joined(separator: ", "))): neighbours may not reach it")
        }
    }
}

/// An instance cannot start: its interface or addresses are not usable.
public struct VRRPSetupError: Error, CustomStringConvertible {
    public let instance: String
    public let problem: String

    public var description: String { "vrrp \(instance): \(problem)" }
}
