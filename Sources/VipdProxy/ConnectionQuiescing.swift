/// The open client connections and, once a drain began, who waits for the last of them to close:
/// the lifecycle of swift-nio-extras' `ServerQuiescingHelper` as a value. Pure: each change returns
/// what to do, and ``ConnectionTracker`` does it on the channels and promises.
struct ConnectionQuiescing<Key: Hashable, Connection, Waiter> {
    /// What ``drain(_:)`` asks for.
    enum DrainAction {
        /// Nothing is open: resume the waiter now.
        case resume(Waiter)
        /// Tell these connections to finish (the first drain), then wait for the last one to close.
        case quiesce([Connection])
        /// A drain already told every connection: wait with the others.
        case wait
    }

    /// The connections open now, by key.
    private(set) var open: [Key: Connection] = [:]
    /// Nil until the drain begins; then those waiting for the last connection to close.
    private var waiters: [Waiter]?

    /// Whether a drain has begun.
    var isDraining: Bool { waiters != nil }

    /// A connection opened; returns it when it must be told to finish at once (a drain has begun).
    mutating func add(_ connection: Connection, key: Key) -> Connection? {
        open[key] = connection
        return isDraining ? connection : nil
    }

    /// A connection closed; returns the waiters to resume when it was the last one during a drain.
    mutating func remove(_ key: Key) -> [Waiter] {
        guard open.removeValue(forKey: key) != nil, open.isEmpty, let waiting = waiters else { return [] }
        waiters = []
        return waiting
    }

    /// Begins the drain (or joins it): `waiter` is resumed when no connection is left open.
    mutating func drain(_ waiter: Waiter) -> DrainAction {
        let first = !isDraining
        guard !open.isEmpty else {
            waiters = waiters ?? []
            return .resume(waiter)
        }
        waiters = (waiters ?? []) + [waiter]
        return first ? .quiesce(Array(open.values)) : .wait
    }
}

extension ConnectionQuiescing: Sendable where Key: Sendable, Connection: Sendable, Waiter: Sendable {}
