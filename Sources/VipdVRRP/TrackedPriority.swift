import VipdConfig

/// A tracked object (`track` in the config) with its current health.
public struct TrackedObjectStatus: Sendable, Equatable {
    /// What is tracked and with which weight.
    public var object: TrackedObjectConfig
    /// Whether the object currently succeeds (interface up, pool has a server up, script passes,
    /// enough processes run); for a file, whether its value is 0.
    public var isUp: Bool
    /// For a tracked file: the integer it holds (0 when it is missing or unreadable); nil otherwise.
    public var value: Int64?

    /// `object` in health `isUp`.
    public init(object: TrackedObjectConfig, isUp: Bool) {
        self.object = object
        self.isUp = isUp
        value = nil
    }

    /// The tracked file `object` holding `value`.
    public init(object: TrackedObjectConfig, value: Int64) {
        self.object = object
        self.isUp = value == 0
        self.value = value
    }

    /// How this object changes the priority: a fault (with its reason), or a number to add.
    var effect: (fault: String?, offset: Int) {
        let weight = Int64(object.weight)
        if let value {
            // keepalived's track_file: weight 0 fails on any value but 0; else value × weight, where
            // -254 or less is a fault and more than 253 counts as 253.
            if weight == 0 { return value == 0 ? (nil, 0) : ("file \(object.name) holds \(value)", 0) }
            let (product, overflow) = value.multipliedReportingOverflow(by: weight)
            if overflow ? (value < 0) != (weight < 0) : product <= -254 {
                return ("file \(object.name) holds \(value), times weight \(weight) is below -253", 0)
            }
            return (nil, Int(overflow ? 253 : min(product, 253)))
        }
        if !isUp && weight == 0 { return ("\(object.kind.rawValue) \(object.name) down", 0) }
        if isUp && weight > 0 || !isUp && weight < 0 { return (nil, Int(weight)) }
        return (nil, 0)
    }
}

/// An instance's effective priority from its base priority and its tracked objects, with
/// keepalived's weight semantics (pure):
/// - a failing object with weight 0 puts the instance in FAULT (keepalived's default for interfaces);
/// - a failing object with a negative weight lowers the priority by its magnitude;
/// - a succeeding object with a positive weight raises the priority by it;
/// - a tracked file adds its value times the weight (at most 253; -254 or less is a FAULT), and with
///   weight 0 a value other than 0 is a FAULT;
/// - the result is clamped to 1...254, and the address owner (255) keeps 255 whatever the weights.
public enum TrackedPriority: Sendable, Hashable {
    /// The instance runs with this effective priority.
    case priority(UInt8)
    /// At least one object is failing as a FAULT: one reason per such object, e.g. `interface enp2s0 down`.
    case fault(reasons: [String])

    /// Combines `base` (the configured priority) with the state of `tracking`.
    public init(base: UInt8, tracking: [TrackedObjectStatus]) {
        let effects = tracking.map(\.effect)
        let faults = effects.compactMap(\.fault)
        if !faults.isEmpty {
            self = .fault(reasons: faults)
            return
        }
        if base == 255 {
            self = .priority(255)
            return
        }
        let priority = effects.reduce(Int(base)) { $0 + $1.offset }
        self = .priority(UInt8(min(max(priority, 1), 254)))
    }
}

extension TrackedObjectConfig {
    /// For a tracked process: whether `count` running processes of its name make it succeed
    /// (`minimum` or more, and `maximum` or fewer when there is a maximum).
    public func accepts(processCount count: Int) -> Bool {
        count >= minimum && maximum.map { count <= $0 } ?? true
    }
}
