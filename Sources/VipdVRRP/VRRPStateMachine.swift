import VipdCore
import VipdVRRPPacket

/// The VRRP protocol of one instance (RFC 3768 section 6.4 for v2, RFC 5798 section 6.4 for v3) with
/// keepalived's FAULT state, preempt delay and stop, and vipd's make-before-break handover — as a
/// pure value: no I/O, no timers of its own, no reading of the clock.
///
/// The runner feeds it events, each with the current instant of clock `C`, and carries out the
/// returned actions in order. It keeps one wake-up: whenever the machine's next deadline changes the
/// actions end with `.wakeUp(at:)` (or `.cancelWakeUp`), and when that instant comes the runner calls
/// `timerFired(now:)`; the machine works out which timer expired (Adver_Timer, Master_Down_Timer or
/// the handover's bound) and ignores early or stale calls.
///
/// Each event method returns the actions of that event; a state change starts with `.transition`,
/// followed by the state entry actions:
/// - MASTER: add the virtual addresses, announce them (gratuitous ARP / unsolicited NA), send an
///   advertisement, start the Adver_Timer (in that order, so the addresses are up before the old
///   master hears us and lets go);
/// - BACKUP (from MASTER): remove the virtual addresses; start the Master_Down_Timer;
/// - FAULT, INIT (from MASTER): send priority 0, remove the virtual addresses (a handover sends
///   priority 0 first and removes them only when it ends).
///
/// An operator's hold (`vipd ctl handover`, see `hold(now:)`) keeps the instance out of the
/// master role until `releaseHold(now:)`; a master gives its addresses away make-before-break.
///
/// A member of a sync group (`settings.syncGroup`) never becomes MASTER on its own: where it would
/// (its Master_Down_Timer expires, or it starts as the address owner) it stays BACKUP and
/// `wantsMaster` turns true, until `syncGroupMaster(now:)` says every member would; and
/// `syncGroupBackup(member:memberState:now:)` takes a master back to BACKUP when another member is
/// not master (see `VRRPSyncGroup`).
public struct VRRPStateMachine<C: Clock>: Sendable where C.Duration == Duration {
    /// What the runner must do, in the order returned.
    public enum Action: Sendable, Equatable {
        /// Send this advertisement (multicast, or to each unicast peer). It carries our effective
        /// priority, or 0 when we leave the master role.
        case sendAdvertisement(VRRPAdvertisement)
        /// Add the virtual addresses to the interface. `previousOwner` is the master that released
        /// them on purpose (it sent priority 0, or it is being preempted and stays up): it goes on
        /// serving the sessions it holds, so segments of flows unknown here are sent to it. nil when
        /// the addresses had no living owner (its advertisements stopped, startup, a fault cleared).
        case addVirtualAddresses(previousOwner: IPAddress?)
        /// Remove the virtual addresses from the interface. `keepSessions`: the move is planned
        /// (another router takes over, or vipd stops), so this node keeps serving the sessions it
        /// holds; false in FAULT, where they cannot be kept (they are reset at once).
        case removeVirtualAddresses(keepSessions: Bool)
        /// Send gratuitous ARP / unsolicited neighbour advertisements for the virtual addresses
        /// (the runner repeats them as configured).
        case announceVirtualAddresses
        /// The next deadline changed: call `timerFired(now:)` at this instant (replaces any earlier one).
        case wakeUp(at: C.Instant)
        /// No timer runs any more (INIT, or FAULT once no master was reported): forget the pending wake-up.
        case cancelWakeUp
        /// The state changed: log `transition.logLine(instance:)`, run notify hooks, count it.
        case transition(VRRPTransition)
        /// We became master because this master's advertisements stopped: its node is likely down
        /// (the runner marks that peer's servers down).
        case peerWentSilent(IPAddress)
        /// The receive filter dropped an advertisement from this sender; the state did not change.
        case drop(VRRPDropReason, from: IPAddress)
        /// The planned handover is over and the virtual addresses are released. `newMaster` is the
        /// router whose advertisement ended it, nil after the timeout or when there was none to wait for.
        case handoverFinished(newMaster: IPAddress?)
        /// In FAULT, no router has advertised as master for this long (a Master_Down_Interval): nobody
        /// holds the virtual addresses (an error for the admin, e.g. every node failing one script).
        case noMasterWhileInFault(silentFor: Duration)
        /// In FAULT after `.noMasterWhileInFault`, this router advertises as master again.
        case masterHeardWhileInFault(IPAddress)
    }

    /// The internal state, with the deadline of the timer that runs in it.
    private enum Phase: Sendable {
        case initialize
        case backup(masterDownAt: C.Instant)
        case master(advertiseAt: C.Instant)
        /// Still MASTER with the addresses, having sent priority 0; waiting for the new master,
        /// then going where `goal` says.
        case handingOver(giveUpAt: C.Instant, goal: HandoverGoal)
        /// Not taking part; `noMasterBy` is when, without an advertisement of a master, nobody holds
        /// the addresses (nil once that was reported, until a master is heard again).
        case fault(noMasterBy: C.Instant?)
    }

    /// How a BACKUP becomes MASTER: decided when its Master_Down_Timer expires (or, for the address
    /// owner, at start), carried out at once or, in a sync group, when the group says so.
    private struct Promotion: Sendable {
        var reason: VRRPTransitionReason
        /// The master that went silent (see `.peerWentSilent`).
        var silentPeer: IPAddress? = nil
        /// The master that gave the addresses away alive (see `.addVirtualAddresses`).
        var previousOwner: IPAddress? = nil
    }

    /// Where a handover ends.
    private enum HandoverGoal: Sendable {
        /// vipd stops: INIT (`beginHandover`).
        case stop
        /// The operator's hold: BACKUP, not taking the addresses back (`hold`).
        case hold
    }

    /// What the Master_Down_Timer's expiry will mean, decided by the last advertisement handled in BACKUP.
    private enum DownCause: Sendable {
        /// The master (if any) went silent.
        case silence
        /// The master sent priority 0.
        case masterLeft(IPAddress)
        /// We discard a lower-priority master's advertisements to preempt it.
        case preempting(IPAddress, priority: UInt8)
    }

    /// The instance this machine runs.
    public let settings: VRRPInstanceSettings
    private let filter: VRRPReceiveFilter
    private var phase: Phase = .initialize
    private var downCause: DownCause = .silence
    /// When the current Master_Down_Timer measurement began: the last accepted advertisement, or entering BACKUP.
    private var silenceSince: C.Instant?
    /// keepalived's `preempt_time`: from then on a lower-priority master is preempted; nil until started.
    private var preemptAllowedAt: C.Instant?
    /// When we last answered a lower-ranked master's advertisement (see `answerLowerRankedMaster`).
    private var lastLowerRankedAnswer: C.Instant?
    /// In a sync group: the promotion this BACKUP waits to carry out (see `wantsMaster`).
    private var pendingPromotion: Promotion?

    /// The priority we advertise and compare with: the configured one as changed by tracking.
    public private(set) var effectivePriority: UInt8
    /// The router we believe is master (the sender of the last advertisement handled in BACKUP);
    /// nil when we are master or do not know.
    public private(set) var masterAddress: IPAddress?
    /// The priority in that router's last advertisement.
    public private(set) var masterPriority: UInt8?
    /// Master_Adver_Interval: our own interval, or (VRRPv3 BACKUP) the master's, which sets our timers.
    public private(set) var masterAdvertisementInterval: Duration
    /// The fault reported by `faultDetected` and not yet cleared. Reported in INIT it is kept and
    /// `start` enters FAULT.
    public private(set) var faultReason: String?
    /// Everything counted so far.
    public private(set) var counters = VRRPCounters()
    /// The operator's hold (`hold(now:)`): the instance does not become master until `releaseHold(now:)`.
    public private(set) var isHeld = false

    /// In a sync group: this BACKUP would become MASTER (its Master_Down_Timer expired, or it is the
    /// address owner) and waits for the other members. It stops wanting when an advertisement
    /// restarts the timer, and on every state change.
    public var wantsMaster: Bool { pendingPromotion != nil }

    /// A machine in INIT for the instance described by `settings`.
    public init(settings: VRRPInstanceSettings) {
        self.settings = settings
        self.filter = VRRPReceiveFilter(settings: settings)
        self.effectivePriority = settings.isAddressOwner ? 255 : min(max(settings.priority, 1), 254)
        self.masterAdvertisementInterval = settings.advertisementInterval
    }

    /// The protocol state; a master handing over is still MASTER (it holds the addresses).
    public var state: VRRPState {
        switch phase {
        case .initialize: .initialize
        case .backup: .backup
        case .master, .handingOver: .master
        case .fault: .fault
        }
    }

    /// True between `beginHandover` on a master and `.handoverFinished`.
    public var isHandingOver: Bool {
        if case .handingOver = phase { return true }
        return false
    }

    /// When `timerFired(now:)` is next due; nil in INIT, and in FAULT once no master was reported.
    public var nextDeadline: C.Instant? {
        switch phase {
        case .initialize: nil
        case .fault(let noMasterBy): noMasterBy
        case .backup(let deadline), .master(let deadline), .handingOver(let deadline, _): deadline
        }
    }

    // MARK: - Events

    /// Starts the instance (RFC 6.4.1): the address owner becomes MASTER at once, any other router
    /// BACKUP with the Master_Down_Timer; with a fault pending, FAULT. Ignored unless in INIT.
    public mutating func start(now: C.Instant) -> [Action] {
        guard case .initialize = phase else { return [] }
        let before = nextDeadline
        let actions: [Action]
        if let faultReason {
            actions = [transition(to: .fault, reason: .fault(faultReason))]
            phase = .fault(noMasterBy: now.advanced(by: masterDownInterval))
        } else if settings.isAddressOwner && !isHeld && settings.syncGroup == nil {
            actions = becomeMaster(reason: .addressOwner, now: now)
        } else {
            actions = becomeBackup(reason: .started, now: now)
            if settings.isAddressOwner && !isHeld { pendingPromotion = Promotion(reason: .addressOwner) }
        }
        return withWakeUp(actions, before: before)
    }

    /// Handles a received advertisement: the receive filter first (a drop becomes `.drop` and never
    /// changes state), then RFC 6.4.2 (BACKUP) or 6.4.3 (MASTER), or the handover's wait.
    /// Valid advertisements in INIT and FAULT are counted and otherwise ignored, but that in FAULT
    /// one of a master (priority > 0) restarts the watch for a VIP left without a master.
    public mutating func advertisementReceived(_ packet: VRRPReceivedPacket, now: C.Instant) -> [Action] {
        if let reason = filter.dropReason(for: packet) {
            counters.drops.record(reason)
            return [.drop(reason, from: packet.source)]
        }
        let advertisement = packet.advertisement
        counters.advertisementsReceived += 1
        if VRRPHopLimitRule.wasRouted(hopLimit: packet.hopLimit) { counters.routedAdvertisementsReceived += 1 }
        if advertisement.priority == 0 { counters.priorityZeroReceived += 1 }
        let before = nextDeadline
        let actions: [Action]
        switch phase {
        case .initialize:
            actions = []
        case .fault(let noMasterBy):
            actions = noMasterBy == nil && advertisement.priority > 0 ? [.masterHeardWhileInFault(packet.source)] : []
            if advertisement.priority > 0 { phase = .fault(noMasterBy: now.advanced(by: masterDownInterval)) }
        case .backup:
            actions = backupReceived(advertisement, from: packet.source, now: now)
        case .master:
            actions = masterReceived(advertisement, from: packet.source, now: now)
        case .handingOver(_, let goal):
            actions =
                advertisement.priority == 0
                ? [] : finishHandover(goal: goal, newMaster: packet.source, now: now)
        }
        return withWakeUp(actions, before: before)
    }

    /// The deadline asked for by the last `.wakeUp` has come: the Adver_Timer sends the next
    /// advertisement, the Master_Down_Timer makes us MASTER, the handover's bound ends the handover.
    /// Returns no actions when nothing is due yet.
    public mutating func timerFired(now: C.Instant) -> [Action] {
        let before = nextDeadline
        let actions: [Action]
        switch phase {
        case .backup(let masterDownAt) where now >= masterDownAt:
            actions = masterDownTimerExpired(now: now)
        case .master(let advertiseAt) where now >= advertiseAt:
            phase = .master(advertiseAt: now.advanced(by: settings.advertisementInterval))
            actions = [ourAdvertisement(priority: effectivePriority)]
        case .handingOver(let giveUpAt, let goal) where now >= giveUpAt:
            actions = finishHandover(goal: goal, newMaster: nil, now: now)
        case .fault(let noMasterBy?) where now >= noMasterBy:
            phase = .fault(noMasterBy: nil)
            actions = [.noMasterWhileInFault(silentFor: masterDownInterval + noMasterBy.duration(to: now))]
        default:
            actions = []
        }
        return withWakeUp(actions, before: before)
    }

    /// Tracking changed our priority (see `TrackedPriority`). It takes effect in the next
    /// advertisement and comparison: a master that falls below a backup keeps advertising the lower
    /// value and a preempting backup takes over; a backup that rises above the master preempts it at
    /// its next advertisement. The address owner stays at 255; others are clamped to 1...254.
    public mutating func priorityChanged(to effective: UInt8, now: C.Instant) -> [Action] {
        if !settings.isAddressOwner {
            effectivePriority = min(max(effective, 1), 254)
        }
        return []
    }

    /// A weight-0 tracked object failed: BACKUP and MASTER enter FAULT (a master first sends priority
    /// 0, then removes its addresses; a handover ends). In INIT the fault is remembered for `start`;
    /// in FAULT only the reason is updated.
    public mutating func faultDetected(reason: String, now: C.Instant) -> [Action] {
        faultReason = reason
        let before = nextDeadline
        let actions: [Action]
        switch phase {
        case .initialize, .fault:
            return []
        case .backup:
            actions = [transition(to: .fault, reason: .fault(reason))]
        case .master:
            actions = [transition(to: .fault, reason: .fault(reason))] + leaveMaster(keepSessions: false)
        case .handingOver:
            actions =
                [transition(to: .fault, reason: .fault(reason))] + leaveMaster(keepSessions: false)
                + [.handoverFinished(newMaster: nil)]
        }
        phase = .fault(noMasterBy: now.advanced(by: masterDownInterval))
        forgetMaster()
        return withWakeUp(actions, before: before)
    }

    /// The fault is over: FAULT goes to BACKUP (the owner to MASTER). In INIT the remembered fault is
    /// forgotten; elsewhere nothing happens.
    public mutating func faultCleared(now: C.Instant) -> [Action] {
        faultReason = nil
        guard case .fault = phase else { return [] }
        let before = nextDeadline
        let ownerTakesOver = settings.isAddressOwner && !isHeld
        let actions =
            ownerTakesOver && settings.syncGroup == nil
            ? becomeMaster(reason: .faultCleared, now: now) : becomeBackup(reason: .faultCleared, now: now)
        if ownerTakesOver && settings.syncGroup != nil { pendingPromotion = Promotion(reason: .faultCleared) }
        return withWakeUp(actions, before: before)
    }

    /// keepalived's stop (RFC "Shutdown"): a master sends priority 0 and removes its addresses (a
    /// handover ends); every state goes to INIT. A fault stays remembered for the next `start`.
    public mutating func shutdown(now: C.Instant) -> [Action] {
        let before = nextDeadline
        let actions: [Action]
        switch phase {
        case .initialize:
            return []
        case .backup, .fault:
            actions = [transition(to: .initialize, reason: .shutdown)]
        case .master:
            actions = [transition(to: .initialize, reason: .shutdown)] + leaveMaster(keepSessions: true)
        case .handingOver:
            actions =
                [transition(to: .initialize, reason: .shutdown)] + leaveMaster(keepSessions: true)
                + [.handoverFinished(newMaster: nil)]
        }
        phase = .initialize
        forgetMaster()
        return withWakeUp(actions, before: before)
    }

    /// vipd's make-before-break planned stop. A master sends priority 0 but keeps its addresses and
    /// keeps serving; the first advertisement of priority > 0 from another router, or
    /// `handoverTimeout`, makes it remove them, report `.handoverFinished` and go to INIT.
    /// Not master: it stops at once (BACKUP, FAULT -> INIT) and reports `.handoverFinished`.
    /// A hold's handover under way continues and ends in INIT; the hold is dropped.
    public mutating func beginHandover(now: C.Instant) -> [Action] {
        isHeld = false
        let before = nextDeadline
        let actions: [Action]
        switch phase {
        case .handingOver(let giveUpAt, _):
            phase = .handingOver(giveUpAt: giveUpAt, goal: .stop)
            return []
        case .master:
            phase = .handingOver(giveUpAt: now.advanced(by: settings.handoverTimeout), goal: .stop)
            actions = [ourAdvertisement(priority: 0)]
        case .backup:
            actions = [
                transition(to: .initialize, reason: .handoverWhileNotMaster),
                .handoverFinished(newMaster: masterAddress),
            ]
            phase = .initialize
            forgetMaster()
        case .fault:
            actions = [transition(to: .initialize, reason: .handoverWhileNotMaster), .handoverFinished(newMaster: nil)]
            phase = .initialize
        case .initialize:
            actions = [.handoverFinished(newMaster: nil)]
        }
        return withWakeUp(actions, before: before)
    }

    /// The operator's planned failover (`vipd ctl handover`): from now on the instance does not
    /// become master (the Master_Down_Timer restarts instead of promoting it, it does not preempt,
    /// the address owner waits in BACKUP) until `releaseHold(now:)`. A master hands over
    /// make-before-break as in `beginHandover`, but ends in BACKUP: the first advertisement of
    /// priority > 0 from another router makes it remove its addresses and report
    /// `.handoverFinished(newMaster:)`. When none comes within `handoverTimeout` it stays MASTER,
    /// advertises its priority again, drops the hold and reports `.handoverFinished(newMaster: nil)`:
    /// the addresses are never left without a master. Elsewhere only the hold is recorded.
    public mutating func hold(now: C.Instant) -> [Action] {
        guard !isHeld else { return [] }
        isHeld = true
        pendingPromotion = nil
        guard case .master = phase else { return [] }
        let before = nextDeadline
        phase = .handingOver(giveUpAt: now.advanced(by: settings.handoverTimeout), goal: .hold)
        return withWakeUp([ourAdvertisement(priority: 0)], before: before)
    }

    /// Ends the operator's hold: the instance takes part in the election again (a master that went
    /// silent meanwhile is replaced at the next Master_Down_Timer expiry; a lower-priority master is
    /// preempted as usual). A hold's handover still waiting is called off: the instance advertises
    /// its priority again as MASTER and reports `.handoverFinished(newMaster: nil)`.
    public mutating func releaseHold(now: C.Instant) -> [Action] {
        guard isHeld else { return [] }
        isHeld = false
        guard case .handingOver(_, .hold) = phase else { return [] }
        let before = nextDeadline
        phase = .master(advertiseAt: now.advanced(by: settings.advertisementInterval))
        return withWakeUp([ourAdvertisement(priority: effectivePriority), .handoverFinished(newMaster: nil)], before: before)
    }

    /// Sync group: every member would become MASTER now, so this one does, for the reason it had
    /// (see `wantsMaster`). Ignored unless it waits in BACKUP.
    public mutating func syncGroupMaster(now: C.Instant) -> [Action] {
        guard case .backup = phase, let promotion = pendingPromotion, !isHeld else { return [] }
        let before = nextDeadline
        let actions = becomeMaster(promotion, now: now)
        return withWakeUp(actions, before: before)
    }

    /// Sync group: `member` is in `memberState` (BACKUP and not wanting MASTER, or INIT), so a master
    /// goes to BACKUP too: it sends priority 0, so that the node that takes over does at once, and
    /// removes its addresses (a planned move: the sessions are kept). Ignored unless MASTER (a
    /// handover under way ends on its own).
    public mutating func syncGroupBackup(member: String, memberState: VRRPState, now: C.Instant) -> [Action] {
        guard case .master = phase, let group = settings.syncGroup else { return [] }
        let before = nextDeadline
        var actions = [transition(to: .backup, reason: .syncGroup(group: group, member: member, memberState: memberState))]
        actions += leaveMaster(keepSessions: true)
        actions += becomeBackup(reason: nil, now: now)
        return withWakeUp(actions, before: before)
    }

    // MARK: - RFC 6.4.2 and 6.4.3

    private mutating func backupReceived(
        _ received: VRRPAdvertisement, from sender: IPAddress, now: C.Instant
    ) -> [Action] {
        masterAddress = sender
        masterPriority = received.priority
        if received.priority == 0 {
            phase = .backup(
                masterDownAt: now.advanced(
                    by: VRRPTimers.skewTime(
                        version: settings.version, priority: effectivePriority,
                        masterAdvertisementInterval: masterAdvertisementInterval)))
            downCause = .masterLeft(sender)
            return []
        }
        if !settings.preempt || isHeld || received.priority >= effectivePriority || preemptDelayHolds(now: now) {
            if received.priority >= effectivePriority { preemptAllowedAt = nil }
            if settings.version == .v3 { masterAdvertisementInterval = received.interval }
            phase = .backup(masterDownAt: now.advanced(by: masterDownInterval))
            silenceSince = now
            downCause = .silence
            pendingPromotion = nil
        } else {
            downCause = .preempting(sender, priority: received.priority)
        }
        return []
    }

    private mutating func masterReceived(
        _ received: VRRPAdvertisement, from sender: IPAddress, now: C.Instant
    ) -> [Action] {
        let reason: VRRPTransitionReason
        if received.priority == 0 {
            phase = .master(advertiseAt: now.advanced(by: settings.advertisementInterval))
            return [ourAdvertisement(priority: effectivePriority)]
        } else if received.priority > effectivePriority {
            reason = .higherPriorityAdvertisement(
                from: sender, priority: received.priority, ourPriority: effectivePriority)
        } else if received.priority == effectivePriority, sender > settings.primaryAddress {
            reason = .equalPriorityHigherAddress(from: sender, priority: received.priority)
        } else {
            return answerLowerRankedMaster(now: now)
        }
        var actions = [transition(to: .backup, reason: reason), .removeVirtualAddresses(keepSessions: true)]
        actions += becomeBackup(
            reason: nil, now: now,
            masterInterval: settings.version == .v3 ? received.interval : settings.advertisementInterval)
        masterAddress = sender
        masterPriority = received.priority
        return actions
    }

    /// A lower-ranked router advertises as master too (it missed ours: a split brain healing, or one
    /// that started late). RFC 5798 discards the advert; like keepalived, we also answer at once with
    /// our advertisement (so it yields now, not at our next advert) and announce the addresses again
    /// (so hosts whose ARP/neighbour entry points at its MAC come back). At most once per advert interval.
    private mutating func answerLowerRankedMaster(now: C.Instant) -> [Action] {
        if let last = lastLowerRankedAnswer, last.duration(to: now) < settings.advertisementInterval { return [] }
        lastLowerRankedAnswer = now
        return [ourAdvertisement(priority: effectivePriority), .announceVirtualAddresses]
    }

    private mutating func masterDownTimerExpired(now: C.Instant) -> [Action] {
        if isHeld {
            phase = .backup(masterDownAt: now.advanced(by: masterDownInterval))
            return []
        }
        let promotion: Promotion
        switch downCause {
        case .silence:
            let silentFor = silenceSince.map { $0.duration(to: now) } ?? .zero
            let lastMaster = masterAddress
            promotion = Promotion(
                reason: .masterDownTimerExpired(lastMaster: lastMaster, silentFor: silentFor), silentPeer: lastMaster)
        case .masterLeft(let master):
            promotion = Promotion(reason: .masterLeft(master), previousOwner: master)
        case .preempting(let master, let priority):
            promotion = Promotion(
                reason: .preempted(master: master, masterPriority: priority, ourPriority: effectivePriority),
                previousOwner: master)
        }
        guard settings.syncGroup != nil else { return becomeMaster(promotion, now: now) }
        // Wait for the group, watching the master (if any) as before.
        pendingPromotion = promotion
        phase = .backup(masterDownAt: now.advanced(by: masterDownInterval))
        return []
    }

    /// keepalived's preempt delay: whether a lower-priority master must still be accepted. The window
    /// starts when entering BACKUP, or at the first lower-priority advertisement after a higher one.
    private mutating func preemptDelayHolds(now: C.Instant) -> Bool {
        guard settings.preemptDelay > .zero else { return false }
        guard let preemptAllowedAt else {
            preemptAllowedAt = now.advanced(by: settings.preemptDelay)
            return true
        }
        return now < preemptAllowedAt
    }

    // MARK: - State entry

    /// Enters MASTER (from INIT, BACKUP or FAULT): transition, addresses, announcement, advertisement.
    private mutating func becomeMaster(reason: VRRPTransitionReason, now: C.Instant) -> [Action] {
        becomeMaster(Promotion(reason: reason), now: now)
    }

    /// Enters MASTER as `promotion` says.
    private mutating func becomeMaster(_ promotion: Promotion, now: C.Instant) -> [Action] {
        var actions = [transition(to: .master, reason: promotion.reason)]
        if let silentPeer = promotion.silentPeer { actions.append(.peerWentSilent(silentPeer)) }
        phase = .master(advertiseAt: now.advanced(by: settings.advertisementInterval))
        forgetMaster()
        actions += [
            .addVirtualAddresses(previousOwner: promotion.previousOwner), .announceVirtualAddresses,
            ourAdvertisement(priority: effectivePriority),
        ]
        return actions
    }

    /// Enters BACKUP with a fresh Master_Down_Timer. `reason` nil: the caller already emitted the
    /// transition (leaving MASTER, where the preempt delay window is not restarted).
    private mutating func becomeBackup(
        reason: VRRPTransitionReason?, now: C.Instant, masterInterval: Duration? = nil
    ) -> [Action] {
        let actions = reason.map { [transition(to: .backup, reason: $0)] } ?? []
        forgetMaster()
        masterAdvertisementInterval = masterInterval ?? settings.advertisementInterval
        phase = .backup(masterDownAt: now.advanced(by: masterDownInterval))
        silenceSince = now
        downCause = .silence
        preemptAllowedAt =
            reason != nil && settings.preemptDelay > .zero ? now.advanced(by: settings.preemptDelay) : nil
        return actions
    }

    /// Leaving MASTER for INIT or FAULT: priority 0, then the addresses go (sessions kept unless in FAULT).
    private mutating func leaveMaster(keepSessions: Bool) -> [Action] {
        [ourAdvertisement(priority: 0), .removeVirtualAddresses(keepSessions: keepSessions)]
    }

    /// Ends a handover. Stopping: transition to INIT, release the addresses, report. Holding: with a
    /// new master, transition to BACKUP and release the addresses; without one, stay MASTER and
    /// drop the hold (see `hold(now:)`).
    private mutating func finishHandover(goal: HandoverGoal, newMaster: IPAddress?, now: C.Instant) -> [Action] {
        switch (goal, newMaster) {
        case (.stop, _):
            let reason: VRRPTransitionReason =
                newMaster.map { .handoverCompleted(newMaster: $0) } ?? .handoverTimedOut(after: settings.handoverTimeout)
            let actions = [transition(to: .initialize, reason: reason), .removeVirtualAddresses(keepSessions: true)]
            phase = .initialize
            forgetMaster()
            return actions + [.handoverFinished(newMaster: newMaster)]
        case (.hold, let newMaster?):
            var actions = [
                transition(to: .backup, reason: .handoverCompleted(newMaster: newMaster)),
                .removeVirtualAddresses(keepSessions: true),
            ]
            actions += becomeBackup(reason: nil, now: now)
            masterAddress = newMaster
            return actions + [.handoverFinished(newMaster: newMaster)]
        case (.hold, nil):
            isHeld = false
            phase = .master(advertiseAt: now.advanced(by: settings.advertisementInterval))
            return [ourAdvertisement(priority: effectivePriority), .handoverFinished(newMaster: nil)]
        }
    }

    // MARK: - Helpers

    private var masterDownInterval: Duration {
        VRRPTimers.masterDownInterval(
            version: settings.version, priority: effectivePriority,
            masterAdvertisementInterval: masterAdvertisementInterval)
    }

    private mutating func forgetMaster() {
        masterAddress = nil
        masterPriority = nil
        masterAdvertisementInterval = settings.advertisementInterval
    }

    /// A transition from the current state, counted.
    private mutating func transition(to newState: VRRPState, reason: VRRPTransitionReason) -> Action {
        pendingPromotion = nil
        counters.transitions.record(from: state, to: newState)
        return .transition(VRRPTransition(from: state, to: newState, reason: reason))
    }

    /// Our advertisement with `priority`, counted.
    private mutating func ourAdvertisement(priority: UInt8) -> Action {
        counters.advertisementsSent += 1
        if priority == 0 { counters.priorityZeroSent += 1 }
        return .sendAdvertisement(
            VRRPAdvertisement(
                version: settings.version, virtualRouterID: settings.virtualRouterID, priority: priority,
                interval: settings.advertisementInterval, addresses: settings.virtualAddresses,
                authentication: settings.version == .v2 ? settings.authentication : .none))
    }

    /// `actions` followed by the wake-up change, when the next deadline moved.
    private func withWakeUp(_ actions: [Action], before: C.Instant?) -> [Action] {
        guard nextDeadline != before else { return actions }
        return actions + [nextDeadline.map { .wakeUp(at: $0) } ?? .cancelWakeUp]
    }
}
