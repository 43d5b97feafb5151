import NIOCore

/// The idle timeout of one relay loop's connections that share one timeout length: at each sweep
/// (``IdleSweepSchedule``), every such connection whose byte counts did not move for the allowed
/// quiet sweeps in a row is closed. A connection pays no timer of its own. Confined to its loop,
/// whose timers call ``sweep(_:now:)``; it runs only while it watches connections.
final class RelayIdleSweep {
    let schedule: IdleSweepSchedule
    /// Connections watched now.
    private(set) var watched = 0
    /// When the next sweep is due.
    private(set) var nextSweep = NIODeadline.distantFuture

    init(schedule: IdleSweepSchedule) {
        self.schedule = schedule
    }

    /// Whether a sweep is due at some time: the sweep watches connections.
    var isActive: Bool { watched > 0 }

    /// A connection is watched from `now` on.
    func add(now: NIODeadline) {
        watched += 1
        if watched == 1 { nextSweep = now + .nanoseconds(schedule.intervalNanoseconds) }
    }

    /// A connection is no longer watched.
    func remove() {
        watched -= 1
    }

    /// Sweeps the loop's `connections` (those of other timeouts are left alone) and closes the quiet ones.
    func sweep(_ connections: [RelayConnection], now: NIODeadline) {
        nextSweep = now + .nanoseconds(schedule.intervalNanoseconds)
        var expired: [RelayConnection] = []
        for connection in connections where connection.idleSweep === self {
            if connection.idleCount.swept(bytes: connection.record.bytesFromClient &+ connection.record.bytesFromServer)
                >= schedule.quietSweepsAllowed
            {
                expired.append(connection)
            }
        }
        // Closed after the loop: a close removes its connection from `connections`.
        for connection in expired { connection.close(.idleTimeout) }
    }
}
