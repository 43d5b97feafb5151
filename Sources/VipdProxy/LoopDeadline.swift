import NIOCore

/// A deadline on one event loop that may move on every request or read at almost no cost: at most
/// one task is scheduled at a time; a later deadline is only noted, and the pending task, when it
/// fires early, schedules itself again for it. Only a deadline earlier than the pending task
/// schedules a new one. Confined to its event loop; the expiry runs there.
///
/// Nothing here is held weakly: a weak reference gives its object a side table, and every retain
/// and release of that object (a channel handler, a context) then takes Swift's slow path.
final class LoopDeadline {
    private let eventLoop: any EventLoop
    private var expired: (() -> Void)?
    private var deadline: NIODeadline?
    private var task: Scheduled<Void>?
    private var taskFiresAt: NIODeadline?

    /// `expired` runs when the set deadline passes. It may hold its owner: `end()` lets go of it, so
    /// the owner ends the deadline when it goes away (a handler in `handlerRemoved`).
    init(on eventLoop: any EventLoop, expired: @escaping () -> Void) {
        self.eventLoop = eventLoop
        self.expired = expired
    }

    /// Expires at `deadline` unless set again or cleared before.
    func set(_ deadline: NIODeadline) {
        self.deadline = deadline
        if let taskFiresAt, taskFiresAt <= deadline { return }
        task?.cancel()
        schedule(at: deadline)
    }

    /// Expires `delay` from now (by the event loop's clock) unless set again or cleared before.
    func set(in delay: TimeAmount) {
        set(eventLoop.now + delay)
    }

    /// No deadline any more (a pending task finds nothing to do when it fires).
    func clear() {
        deadline = nil
    }

    /// No deadline and no pending task; the deadline may be set again.
    func cancel() {
        deadline = nil
        task?.cancel()
        task = nil
        taskFiresAt = nil
    }

    /// Cancels for good and lets go of `expired` (when the owner goes away).
    func end() {
        cancel()
        expired = nil
    }

    private func schedule(at when: NIODeadline) {
        taskFiresAt = when
        task = eventLoop.scheduleTask(deadline: when) { self.fire() }
    }

    private func fire() {
        task = nil
        taskFiresAt = nil
        guard let deadline else { return }
        if eventLoop.now >= deadline {
            self.deadline = nil
            expired?()
        } else {
            schedule(at: deadline)
        }
    }
}
