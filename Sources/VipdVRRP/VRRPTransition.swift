import VipdCore

/// One state change of an instance and why it happened; every transition is logged and counted.
public struct VRRPTransition: Sendable, Hashable {
    /// The state left.
    public var from: VRRPState
    /// The state entered.
    public var to: VRRPState
    /// Why.
    public var reason: VRRPTransitionReason

    /// A transition from `from` to `to` because of `reason`.
    public init(from: VRRPState, to: VRRPState, reason: VRRPTransitionReason) {
        self.from = from
        self.to = to
        self.reason = reason
    }

    /// `VI_1: BACKUP -> MASTER (master down timer expired: no advertisement from 10.0.0.1 for 3.61 s)`.
    public func logLine(instance: String) -> String {
        "\(instance): \(from) -> \(to) (\(reason))"
    }
}

/// Why an instance changed state; the description is the parenthesised part of the log line.
public enum VRRPTransitionReason: Sendable, Hashable, CustomStringConvertible {
    /// `start` of a non-owner: INIT -> BACKUP.
    case started
    /// `start` (or a cleared fault) of the address owner (priority 255): straight to MASTER.
    case addressOwner
    /// No advertisement for Master_Down_Interval. `lastMaster` is nil when no master was ever heard
    /// (e.g. the first node up); `silentFor` is the time since the last advertisement accepted
    /// from it (or since entering BACKUP).
    case masterDownTimerExpired(lastMaster: IPAddress?, silentFor: Duration)
    /// The master sent priority 0 (it is leaving) and Skew_Time passed without a new master.
    case masterLeft(IPAddress)
    /// We ignored a lower-priority master's advertisements (preempt) until its down timer expired.
    case preempted(master: IPAddress, masterPriority: UInt8, ourPriority: UInt8)
    /// As master, we received an advertisement of higher priority.
    case higherPriorityAdvertisement(from: IPAddress, priority: UInt8, ourPriority: UInt8)
    /// As master, we received an advertisement of our priority from a higher primary address.
    case equalPriorityHigherAddress(from: IPAddress, priority: UInt8)
    /// `faultDetected`, with the caller's reason (e.g. `interface enp2s0 down`).
    case fault(String)
    /// `faultCleared`.
    case faultCleared
    /// `shutdown` (keepalived's stop).
    case shutdown
    /// The planned handover finished: `newMaster` advertised, so we released the addresses.
    case handoverCompleted(newMaster: IPAddress)
    /// The planned handover hit `handoverTimeout` without hearing a new master.
    case handoverTimedOut(after: Duration)
    /// `beginHandover` while not master: nothing to hand over, the instance simply stops.
    case handoverWhileNotMaster
    /// `syncGroupBackup`: a master leaves its role because `member` of its sync group `group` is in
    /// `memberState`, and the members are MASTER together or not at all.
    case syncGroup(group: String, member: String, memberState: VRRPState)

    /// The parenthesised part of the log line.
    public var description: String {
        switch self {
        case .started:
            return "startup"
        case .addressOwner:
            return "address owner, priority 255"
        case .masterDownTimerExpired(let lastMaster?, let silentFor):
            return "master down timer expired: no advertisement from \(lastMaster) for \(silentFor.secondsText)"
        case .masterDownTimerExpired(nil, let silentFor):
            return "master down timer expired: no advertisement for \(silentFor.secondsText)"
        case .masterLeft(let master):
            return "master \(master) left: it sent priority 0"
        case .preempted(let master, let masterPriority, let ourPriority):
            return "preempting master \(master): its priority \(masterPriority) is below ours, \(ourPriority)"
        case .higherPriorityAdvertisement(let from, let priority, let ourPriority):
            return "advertisement from \(from) with higher priority \(priority), ours is \(ourPriority)"
        case .equalPriorityHigherAddress(let from, let priority):
            return "advertisement from \(from) with our priority \(priority) and a higher address"
        case .fault(let reason):
            return "fault: \(reason)"
        case .faultCleared:
            return "fault cleared"
        case .shutdown:
            return "shutdown"
        case .handoverCompleted(let newMaster):
            return "handover: \(newMaster) is master now"
        case .handoverTimedOut(let after):
            return "handover: no new master within \(after.secondsText)"
        case .handoverWhileNotMaster:
            return "handover requested while not master"
        case .syncGroup(let group, let member, let memberState):
            return "sync group \(group): \(member) is \(memberState)"
        }
    }
}
