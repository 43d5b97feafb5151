import NIOConcurrencyHelpers
import NIOCore

/// The idle timeouts of one event loop's connections that share one timeout length: one repeated
/// task, every `interval` (an eighth of the timeout, at most a second), counts for each connection
/// the sweeps in a row without a byte either way since the sweep that saw its last one, and closes
/// it at the `quietSweepsAllowed`-th. A connection thus pays no task, promise or clock reading of
/// its own, and closes between the timeout and two intervals after its last byte. Confined to its
/// event loop; the task runs only while the sweep has connections.
final class IdleSweep {
    /// The longest time between sweeps, so that a long timeout is kept to within it.
    static let longestInterval = Duration.seconds(1)

    let eventLoop: any EventLoop
    /// How long a connection may stay quiet.
    let timeout: Duration
    /// The time between sweeps: an eighth of the timeout, at most ``longestInterval``.
    let interval: TimeAmount
    /// Quiet sweeps in a row that close a connection: together at least the timeout.
    let quietSweepsAllowed: Int
    private var closers = SlotList<IdleTimeoutCloser>()
    private var task: RepeatedTask?

    init(on eventLoop: any EventLoop, timeout: Duration) {
        self.eventLoop = eventLoop
        self.timeout = timeout
        let timeoutNanoseconds = max(TimeAmount(timeout).nanoseconds, 1)
        let intervalNanoseconds = min(
            max(timeoutNanoseconds / 8, 1), TimeAmount(Self.longestInterval).nanoseconds)
        interval = .nanoseconds(intervalNanoseconds)
        quietSweepsAllowed = Int((timeoutNanoseconds + intervalNanoseconds - 1) / intervalNanoseconds)
    }

    /// Connections watched now.
    var count: Int { closers.count }

    /// Watches `closer` from now on.
    func add(_ closer: IdleTimeoutCloser) {
        closers.add(closer)
        guard task == nil else { return }
        let sweep = NIOLoopBound(self, eventLoop: eventLoop)
        task = eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in sweep.value.sweep() }
    }

    /// Stops watching `closer` (nothing when it is not watched).
    func remove(_ closer: IdleTimeoutCloser) {
        closers.remove(closer)
    }

    private func sweep() {
        guard !closers.isEmpty else {
            task?.cancel()
            task = nil
            return
        }
        var expired: [IdleTimeoutCloser] = []
        for closer in closers.members where closer.sweptQuiet() >= quietSweepsAllowed {
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
