import VipdConfig

/// A tracked object (`track` in the config) with its current health.
public struct TrackedObjectStatus: Sendable, Equatable {
    /// What is tracked and with which weight.
    public var object: TrackedObjectConfig
    /// Whether the object currently succeeds (interface up, pool has a server up, script passes).
    public var isUp: Bool

    /// `object` in health `isUp`.
    public init(object: TrackedObjectConfig, isUp: Bool) {
        self.object = object
        self.isUp = isUp
    }
}

/// An instance's effective priority from its base priority and its tracked objects, with
/// keepalived's weight semantics (pure):
/// - a failing object with weight 0 puts the instance in FAULT (keepalived's default for interfaces);
/// - a failing object with a negative weight lowers the priority by its magnitude;
/// - a succeeding object with a positive weight raises the priority by it;
/// - the result is clamped to 1...254, and the address owner (255) keeps 255 whatever the weights.
public enum TrackedPriority: Sendable, Hashable {
    /// The instance runs with this effective priority.
    case priority(UInt8)
    /// At least one weight-0 object fails: one reason per such object, e.g. `interface enp2s0 down`.
    case fault(reasons: [String])

    /// Combines `base` (the configured priority) with the state of `tracking`.
    public init(base: UInt8, tracking: [TrackedObjectStatus]) {
        let faults = tracking.filter { !$0.isUp && $0.object.weight == 0 }
        if !faults.isEmpty {
            self = .fault(reasons: faults.map { "\($0.object.kind.rawValue) \($0.object.name) down" })
            return
        }
        if base == 255 {
            self = .priority(255)
            return
        }
        var priority = Int(base)
        for status in tracking {
            let weight = status.object.weight
            if status.isUp, weight > 0 { priority += weight }
            if !status.isUp, weight < 0 { priority += weight }
        }
        self = .priority(UInt8(min(max(priority, 1), 254)))
    }
}
