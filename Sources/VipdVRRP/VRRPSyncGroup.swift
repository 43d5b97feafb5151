import VipdConfig

/// keepalived's `vrrp_sync_group` on one node (pure): the member instances are MASTER together or
/// not at all, and a member in FAULT takes them all to FAULT.
///
/// Each member runs its own `VRRPStateMachine`, which in a group never becomes MASTER on its own but
/// reports that it would (`wantsMaster`). The speaker tells the group every change of a member's
/// state or wish (`memberChanged`) and carries out the returned actions on the members:
/// - every member MASTER or wanting to be: the waiting ones become MASTER (`.becomeMaster`);
/// - a member BACKUP without wanting MASTER, or in INIT: the masters go to BACKUP (`.becomeBackup`),
///   so that a master hearing a higher priority on one member's network takes the whole group along;
/// - a member in FAULT: nothing here, the faults travel through tracking (`tracking(_:)` gives every
///   member a fault while any member has one of its own), and the group leaves FAULT when the last
///   member's own fault clears.
public struct VRRPSyncGroup: Sendable {
    /// What the group needs to know of one member.
    public struct MemberStatus: Sendable, Hashable {
        public var state: VRRPState
        /// In BACKUP: it would become MASTER and waits for the group (`VRRPStateMachine.wantsMaster`).
        public var wantsMaster: Bool

        public init(state: VRRPState, wantsMaster: Bool = false) {
            self.state = state
            self.wantsMaster = wantsMaster
        }

        /// MASTER, or BACKUP waiting to be.
        var isMasterOrWaiting: Bool { state == .master || (state == .backup && wantsMaster) }
    }

    /// What the speaker must do, in order.
    public enum Action: Sendable, Hashable {
        /// The group's state changed (log it).
        case transition(from: VRRPState, to: VRRPState)
        /// Make this waiting member MASTER (`VRRPStateMachine.syncGroupMaster`).
        case becomeMaster(instance: String)
        /// Take this MASTER member to BACKUP because `member` is in `memberState`
        /// (`VRRPStateMachine.syncGroupBackup`).
        case becomeBackup(instance: String, member: String, memberState: VRRPState)
    }

    public let config: SyncGroupConfig
    /// Each member's last reported status; every member starts in INIT.
    public private(set) var members: [String: MemberStatus]

    /// The group `config` with every member in INIT.
    public init(config: SyncGroupConfig) {
        self.config = config
        members = Dictionary(uniqueKeysWithValues: config.instances.map { ($0, MemberStatus(state: .initialize)) })
    }

    /// FAULT when a member is; MASTER when every member is; INIT when a member is; else BACKUP.
    public var state: VRRPState {
        let states = config.instances.map { members[$0]?.state ?? .initialize }
        if states.contains(.fault) { return .fault }
        if states.allSatisfy({ $0 == .master }) { return .master }
        if states.contains(.initialize) { return .initialize }
        return .backup
    }

    /// Records `status` of member `instance` and returns what the members must do for the group to
    /// move together. Repeats actions already returned while the members have not reported their
    /// effect (carrying one out twice changes nothing). A name that is not a member is ignored.
    public mutating func memberChanged(_ instance: String, to status: MemberStatus) -> [Action] {
        guard members[instance] != nil else { return [] }
        let before = state
        members[instance] = status
        var actions: [Action] = before == state ? [] : [.transition(from: before, to: state)]
        let statuses = config.instances.map { ($0, members[$0]!) }
        if statuses.contains(where: { $0.1.state == .fault }) { return actions }
        if let blocker = statuses.first(where: { !$0.1.isMasterOrWaiting }) {
            actions += statuses.filter { $0.1.state == .master }.map {
                .becomeBackup(instance: $0.0, member: blocker.0, memberState: blocker.1.state)
            }
        } else {
            actions += statuses.filter { $0.1.state == .backup }.map { .becomeMaster(instance: $0.0) }
        }
        return actions
    }

    /// What each member runs with, from what each member's own tracking says (`own`, by instance
    /// name): while any member has a fault, every member has it (named after the member it comes
    /// from); else each its own priority, or with `priority: lowest` every member the lowest.
    public func tracking(_ own: [String: TrackedPriority]) -> [String: TrackedPriority] {
        let faults = config.instances.compactMap { instance -> (String, [String])? in
            guard case .fault(let reasons) = own[instance] else { return nil }
            return (instance, reasons)
        }
        var combined = own
        if !faults.isEmpty {
            for instance in config.instances {
                let reasons = faults.flatMap { member, reasons in
                    member == instance ? reasons : reasons.map { "sync group \(config.name): \(member) \($0)" }
                }
                combined[instance] = .fault(reasons: reasons)
            }
        } else if config.priority == .lowest {
            let priorities = config.instances.compactMap { instance -> UInt8? in
                guard case .priority(let priority) = own[instance] else { return nil }
                return priority
            }
            if let lowest = priorities.min() {
                for instance in config.instances where own[instance] != nil { combined[instance] = .priority(lowest) }
            }
        }
        return combined
    }
}
