/// VRRP instances that change state together (`sync_groups.NAME`, keepalived's `vrrp_sync_group`):
/// on a node, either every member is MASTER or none is, and a member in FAULT takes them all to FAULT.
public struct SyncGroupConfig: Sendable, Equatable {
    /// Which priority the members advertise (`priority`).
    public enum Priority: String, Sendable, Equatable, CaseIterable {
        /// Each member its own, after its own tracking (keepalived's sync groups). Tracked objects of
        /// members must then have weight 0: a weight would move one member alone.
        case own
        /// Every member the lowest effective priority among the members on this node: a weight that
        /// lowers one member lowers them all, so that any member's failing object moves the whole
        /// group to a node whose priority is now higher.
        case lowest
    }

    /// The group's name, used in logs and status.
    public var name: String
    /// The member instances (`instances`), names of `vrrp` entries, at least two, in file order.
    public var instances: [String]
    /// `own` (the default) or `lowest` (`priority`).
    public var priority: Priority

    public init(name: String, instances: [String], priority: Priority = .own) {
        self.name = name
        self.instances = instances
        self.priority = priority
    }
}

extension VipdConfiguration {
    /// The sync group `instance` belongs to, if any.
    public func syncGroup(of instance: String) -> SyncGroupConfig? {
        syncGroups.first { $0.instances.contains(instance) }
    }
}
