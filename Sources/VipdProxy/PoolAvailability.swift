import NIOConcurrencyHelpers

/// Whether each pool has at least one server up, with observers told of every change; this is
/// what a VRRP instance tracking a pool watches.
public final class PoolAvailability: Sendable {
    /// Called with the pool name and whether it now has a server up.
    public typealias Observer = @Sendable (_ pool: String, _ hasServerUp: Bool) -> Void

    private struct State {
        var available: [String: Bool] = [:]
        var observers: [Observer] = []
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Whether `pool` has a server up; nil for an unknown pool.
    public func hasServerUp(_ pool: String) -> Bool? {
        state.withLockedValue { $0.available[pool] }
    }

    /// Adds an observer; it is called from the health checks' threads after every change.
    public func observe(_ observer: @escaping Observer) {
        state.withLockedValue { $0.observers.append(observer) }
    }

    /// Records `pool`'s availability and tells the observers when it changed.
    func update(pool: String, hasServerUp: Bool) {
        let observers = state.withLockedValue { state -> [Observer] in
            guard state.available[pool] != hasServerUp else { return [] }
            state.available[pool] = hasServerUp
            return state.observers
        }
        for observer in observers { observer(pool, hasServerUp) }
    }
}
