import NIOConcurrencyHelpers
import NIOCore

/// The idle timeouts of one event loop's connections that share one timeout length: one repeated
/// task, every eighth of the timeout, counts for each connection the sweeps without a byte either
/// way and closes those quiet for more than eight. A connection thus pays no task, promise or clock
/// reading of its own, and closes between the timeout and nine eighths of it after its last byte.
/// Confined to its event loop; the task runs only while the sweep has connections.
final class IdleSweep {
    /// Sweeps per timeout: the timeout is kept to within this fraction of it.
    static let sweepsPerTimeout = 8

    let eventLoop: any EventLoop
    /// How long a connection may stay quiet.
    let timeout: Duration
    private var closers: [IdleTimeoutCloser] = []
    private var task: RepeatedTask?

    init(on eventLoop: any EventLoop, timeout: Duration) {
        self.eventLoop = eventLoop
        self.timeout = timeout
    }

    /// Connections watched now.
    var count: Int { closers.count }

    /// Watches `closer` from now on.
    func add(_ closer: IdleTimeoutCloser) {
        closer.slot = closers.count
        closers.append(closer)
        guard task == nil else { return }
        let interval = TimeAmount.nanoseconds(max(TimeAmount(timeout).nanoseconds / Int64(Self.sweepsPerTimeout), 1))
        let sweep = NIOLoopBound(self, eventLoop: eventLoop)
        task = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in sweep.value.sweep() }
    }

    /// Stops watching `closer` (nothing when it is not watched).
    func remove(_ closer: IdleTimeoutCloser) {
        let slot = closer.slot
        guard slot >= 0, slot < closers.count, closers[slot] === closer else { return }
        let last = closers.removeLast()
        if slot < closers.count {
            closers[slot] = last
            last.slot = slot
        }
        closer.slot = -1
    }

    private func sweep() {
        guard !closers.isEmpty else {
            task?.cancel()
            task = nil
            return
        }
        var expired: [IdleTimeoutCloser] = []
        for closer in closers where closer.sweptQuiet() > Self.sweepsPerTimeout {
            expired.append(closer)
        }
        // Closed after the loop: a close removes its closer from `closers`.
        for closer in expired { closer.expire() }
    }
}

/// Every ``IdleSweep`` of one engine, by event loop and timeout length; a sweep is made on first use
/// and kept (there are as many as event loops times distinct listener timeouts).
public final class IdleSweeps: Sendable {
    private struct Key: Hashable {
        var loop: ObjectIdentifier
        var timeout: Duration
    }

    private let sweeps = NIOLockedValueBox<[Key: NIOLoopBound<IdleSweep>]>([:])

    public init() {}

    /// The sweep of `eventLoop` for `timeout`; call on that event loop.
    func sweep(on eventLoop: any EventLoop, timeout: Duration) -> IdleSweep {
        let key = Key(loop: ObjectIdentifier(eventLoop), timeout: timeout)
        return sweeps.withLockedValue { sweeps in
            if let existing = sweeps[key] { return existing.value }
            let created = IdleSweep(on: eventLoop, timeout: timeout)
            sweeps[key] = NIOLoopBound(created, eventLoop: eventLoop)
            return created
        }
    }
}
