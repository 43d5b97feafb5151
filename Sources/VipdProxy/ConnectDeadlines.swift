/// The connects under way on one relay loop and when each must give up: every timeout in use has a
/// queue in deadline order (a connect started later ends later), so adding, cancelling and expiring
/// cost constant time. A queue entry names a slot and its generation, not the connection, so a
/// connection that connected (or failed) is not kept alive by its entry. Pure: the clock is a parameter.
struct ConnectDeadlines<Connection: AnyObject> {
    /// A watched connect, to cancel it.
    struct Ticket: Equatable {
        fileprivate let slot: Int
        fileprivate let generation: UInt32
    }

    private struct Slot {
        var connection: Connection?
        var generation: UInt32 = 0
    }

    private struct Entry {
        let slot: Int
        let generation: UInt32
        let deadline: UInt64
    }

    /// One timeout's entries; `entries[head...]` are live.
    private struct Queue {
        let timeout: UInt64
        var entries: [Entry] = []
        var head = 0

        var first: Entry? { head < entries.count ? entries[head] : nil }

        mutating func removeFirst() {
            head += 1
            if head == entries.count {
                entries.removeAll(keepingCapacity: true)
                head = 0
            } else if head >= 1024, head * 2 >= entries.count {
                entries.removeFirst(head)
                head = 0
            }
        }
    }

    private var slots: [Slot] = []
    private var freeSlots: [Int] = []
    private var queues: [Queue] = []

    /// Connects watched now.
    private(set) var count = 0

    /// Watches `connection`'s connect from `now` (monotonic nanoseconds) for `timeout` nanoseconds.
    mutating func watch(_ connection: Connection, timeout: UInt64, now: UInt64) -> Ticket {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot].connection = connection
        } else {
            slot = slots.count
            slots.append(Slot(connection: connection))
        }
        count += 1
        let entry = Entry(slot: slot, generation: slots[slot].generation, deadline: now &+ timeout)
        if let index = queues.firstIndex(where: { $0.timeout == timeout }) {
            queues[index].entries.append(entry)
        } else {
            queues.append(Queue(timeout: timeout, entries: [entry]))
        }
        return Ticket(slot: slot, generation: entry.generation)
    }

    /// Stops watching the connect of `ticket` (it ended); nothing when it is no longer watched.
    mutating func cancel(_ ticket: Ticket) {
        guard slots[ticket.slot].generation == ticket.generation, slots[ticket.slot].connection != nil else { return }
        free(ticket.slot)
    }

    private mutating func free(_ slot: Int) {
        slots[slot].connection = nil
        slots[slot].generation &+= 1
        freeSlots.append(slot)
        count -= 1
    }

    /// The earliest deadline of a watched connect (entries of cancelled ones may make it early), nil when none.
    var nextDeadline: UInt64? {
        var next: UInt64?
        for queue in queues {
            if let first = queue.first { next = min(next ?? .max, first.deadline) }
        }
        return next
    }

    /// A connection whose deadline passed at `now`, no longer watched; nil when none is left.
    mutating func popExpired(now: UInt64) -> Connection? {
        for index in queues.indices {
            while let first = queues[index].first, first.deadline <= now {
                queues[index].removeFirst()
                guard slots[first.slot].generation == first.generation, let connection = slots[first.slot].connection else { continue }
                free(first.slot)
                return connection
            }
        }
        return nil
    }
}
