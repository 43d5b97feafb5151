import XCTest

@testable import VipdProxy

/// ``ConnectDeadlines``: a watched connect expires at its deadline and only once, a cancelled one
/// never, a reused slot does not expire with its old entry, an entry keeps no connection alive after
/// its connect ended, several timeouts expire in deadline order, and thousands of random watches,
/// cancels and expiries agree with a plain list.
final class ConnectDeadlinesTests: XCTestCase {
    private final class Connection {
        let id: Int
        init(_ id: Int) { self.id = id }
    }

    /// Every connection expired at `now`, in the order given.
    private func drain(_ deadlines: inout ConnectDeadlines<Connection>, now: UInt64) -> [Int] {
        var expired: [Int] = []
        while let connection = deadlines.popExpired(now: now) { expired.append(connection.id) }
        return expired
    }

    func testNothingIsWatchedAtFirst() {
        var deadlines = ConnectDeadlines<Connection>()
        XCTAssertEqual(deadlines.count, 0)
        XCTAssertNil(deadlines.nextDeadline)
        XCTAssertNil(deadlines.popExpired(now: .max))
    }

    func testAConnectExpiresAtItsDeadlineAndOnlyOnce() {
        var deadlines = ConnectDeadlines<Connection>()
        let connection = Connection(1)
        _ = deadlines.watch(connection, timeout: 500, now: 1000)
        XCTAssertEqual(deadlines.count, 1)
        XCTAssertEqual(deadlines.nextDeadline, 1500)
        XCTAssertNil(deadlines.popExpired(now: 1000))
        XCTAssertNil(deadlines.popExpired(now: 1499), "one nanosecond early")
        XCTAssertEqual(deadlines.count, 1)
        XCTAssertTrue(deadlines.popExpired(now: 1500) === connection, "due at the deadline itself")
        XCTAssertEqual(deadlines.count, 0)
        XCTAssertNil(deadlines.popExpired(now: 1500))
        XCTAssertNil(deadlines.popExpired(now: .max))
        XCTAssertNil(deadlines.nextDeadline)
    }

    func testAConnectLongOverdueStillExpires() {
        var deadlines = ConnectDeadlines<Connection>()
        _ = deadlines.watch(Connection(1), timeout: 10, now: 0)
        XCTAssertEqual(drain(&deadlines, now: 1_000_000_000), [1])
    }

    func testConnectsOfOneTimeoutExpireFirstInFirstOut() {
        var deadlines = ConnectDeadlines<Connection>()
        for id in 0..<5 { _ = deadlines.watch(Connection(id), timeout: 100, now: UInt64(id) * 10) }
        XCTAssertEqual(deadlines.count, 5)
        XCTAssertEqual(drain(&deadlines, now: 99), [])
        XCTAssertEqual(drain(&deadlines, now: 100), [0])
        XCTAssertEqual(drain(&deadlines, now: 125), [1, 2])
        XCTAssertEqual(deadlines.nextDeadline, 130)
        XCTAssertEqual(drain(&deadlines, now: 1000), [3, 4])
        XCTAssertEqual(deadlines.count, 0)
    }

    func testConnectsStartedAtTheSameTimeAllExpireTogether() {
        var deadlines = ConnectDeadlines<Connection>()
        for id in 0..<4 { _ = deadlines.watch(Connection(id), timeout: 7, now: 3) }
        XCTAssertEqual(drain(&deadlines, now: 9), [])
        XCTAssertEqual(drain(&deadlines, now: 10), [0, 1, 2, 3])
    }

    func testACancelledConnectNeverExpires() {
        var deadlines = ConnectDeadlines<Connection>()
        let cancelled = deadlines.watch(Connection(1), timeout: 100, now: 0)
        _ = deadlines.watch(Connection(2), timeout: 100, now: 5)
        deadlines.cancel(cancelled)
        XCTAssertEqual(deadlines.count, 1)
        XCTAssertEqual(drain(&deadlines, now: .max), [2])
        XCTAssertEqual(deadlines.count, 0)
    }

    func testCancellingTwiceOrAfterExpiryChangesNothing() {
        var deadlines = ConnectDeadlines<Connection>()
        let first = deadlines.watch(Connection(1), timeout: 10, now: 0)
        let second = deadlines.watch(Connection(2), timeout: 10, now: 0)
        _ = deadlines.watch(Connection(3), timeout: 20, now: 0)
        deadlines.cancel(first)
        deadlines.cancel(first)
        XCTAssertEqual(deadlines.count, 2)
        XCTAssertEqual(drain(&deadlines, now: 10), [2])
        deadlines.cancel(second)
        XCTAssertEqual(deadlines.count, 1, "the expired connect's ticket is spent")
        XCTAssertEqual(drain(&deadlines, now: 20), [3])
    }

    func testAReusedSlotDoesNotExpireWithItsOldEntry() {
        var deadlines = ConnectDeadlines<Connection>()
        let old = deadlines.watch(Connection(1), timeout: 100, now: 0)
        deadlines.cancel(old)
        let new = deadlines.watch(Connection(2), timeout: 100, now: 50)
        XCTAssertNotEqual(old, new, "the slot's generation tells the tickets apart")
        XCTAssertEqual(drain(&deadlines, now: 100), [], "the old entry's deadline passed, but it names the old generation")
        XCTAssertEqual(deadlines.count, 1)
        XCTAssertEqual(drain(&deadlines, now: 149), [])
        XCTAssertEqual(drain(&deadlines, now: 150), [2])
    }

    func testAReusedSlotOfAnotherTimeoutDoesNotExpireWithTheOldEntry() {
        var deadlines = ConnectDeadlines<Connection>()
        deadlines.cancel(deadlines.watch(Connection(1), timeout: 10, now: 0))
        _ = deadlines.watch(Connection(2), timeout: 1000, now: 1)
        XCTAssertEqual(drain(&deadlines, now: 10), [])
        XCTAssertEqual(drain(&deadlines, now: 1001), [2])
    }

    func testASpentTicketDoesNotCancelTheConnectNowInItsSlot() {
        var deadlines = ConnectDeadlines<Connection>()
        let expired = deadlines.watch(Connection(1), timeout: 10, now: 0)
        XCTAssertEqual(drain(&deadlines, now: 10), [1])
        _ = deadlines.watch(Connection(2), timeout: 10, now: 10)
        deadlines.cancel(expired)
        XCTAssertEqual(deadlines.count, 1)
        XCTAssertEqual(drain(&deadlines, now: 20), [2])

        let cancelled = deadlines.watch(Connection(3), timeout: 10, now: 20)
        deadlines.cancel(cancelled)
        _ = deadlines.watch(Connection(4), timeout: 10, now: 20)
        deadlines.cancel(cancelled)
        XCTAssertEqual(deadlines.count, 1)
        XCTAssertEqual(drain(&deadlines, now: 30), [4])
    }

    func testAWatchedConnectionIsHeldUntilItsConnectEnds() {
        var deadlines = ConnectDeadlines<Connection>()
        weak var weakCancelled: Connection?
        weak var weakExpired: Connection?
        var ticket: ConnectDeadlines<Connection>.Ticket?
        do {
            let cancelled = Connection(1)
            let expired = Connection(2)
            weakCancelled = cancelled
            weakExpired = expired
            ticket = deadlines.watch(cancelled, timeout: 100, now: 0)
            _ = deadlines.watch(expired, timeout: 100, now: 0)
        }
        XCTAssertNotNil(weakCancelled, "held while watched, so that it can expire")
        XCTAssertNotNil(weakExpired)
        deadlines.cancel(ticket!)
        XCTAssertNil(weakCancelled, "its entry is still queued but must not hold it")
        XCTAssertEqual(deadlines.nextDeadline, 100, "the cancelled entry is still there")
        XCTAssertEqual(deadlines.popExpired(now: 100)?.id, 2)
        XCTAssertNil(weakExpired, "expired and handed over: no longer held")
    }

    func testNextDeadlineIsTheEarliestAcrossTimeouts() {
        var deadlines = ConnectDeadlines<Connection>()
        _ = deadlines.watch(Connection(1), timeout: 300, now: 0)
        XCTAssertEqual(deadlines.nextDeadline, 300)
        _ = deadlines.watch(Connection(2), timeout: 100, now: 50)
        XCTAssertEqual(deadlines.nextDeadline, 150)
        _ = deadlines.watch(Connection(3), timeout: 200, now: 60)
        XCTAssertEqual(deadlines.nextDeadline, 150)
        XCTAssertEqual(drain(&deadlines, now: 150), [2])
        XCTAssertEqual(deadlines.nextDeadline, 260)
        XCTAssertEqual(drain(&deadlines, now: 260), [3])
        XCTAssertEqual(deadlines.nextDeadline, 300)
    }

    func testACancelledEntryMakesNextDeadlineEarlyOnlyUntilItsTimePasses() {
        var deadlines = ConnectDeadlines<Connection>()
        let cancelled = deadlines.watch(Connection(1), timeout: 100, now: 0)
        _ = deadlines.watch(Connection(2), timeout: 100, now: 40)
        deadlines.cancel(cancelled)
        XCTAssertEqual(deadlines.nextDeadline, 100, "early, as documented")
        XCTAssertNil(deadlines.popExpired(now: 100))
        XCTAssertEqual(deadlines.nextDeadline, 140, "the dead entry is gone once its time passed")
    }

    func testSeveralTimeoutsInterleavedExpireInDeadlineOrder() {
        var deadlines = ConnectDeadlines<Connection>()
        // (id, start, timeout): queues made in the order 300, 100, 200, deadlines interleaved across them.
        let watches: [(Int, UInt64, UInt64)] = [
            (1, 0, 300), (2, 10, 100), (3, 20, 200), (4, 30, 100), (5, 40, 300), (6, 150, 100), (7, 160, 200), (8, 170, 100),
        ]
        var deadlineOf: [Int: UInt64] = [:]
        for (id, start, timeout) in watches {
            _ = deadlines.watch(Connection(id), timeout: timeout, now: start)
            deadlineOf[id] = start + timeout
        }
        var expired: [Int] = []
        while let next = deadlines.nextDeadline {
            XCTAssertEqual(drain(&deadlines, now: next - 1), [], "nothing before the earliest deadline")
            let batch = drain(&deadlines, now: next)
            guard !batch.isEmpty else { return XCTFail("no connect expired at the next deadline \(next)") }
            for id in batch { XCTAssertEqual(deadlineOf[id], next, "#\(id) expired at \(next)") }
            expired += batch
        }
        XCTAssertEqual(expired, [2, 4, 3, 6, 8, 1, 5, 7])
        XCTAssertEqual(deadlines.count, 0)
    }

    func testALongQueueKeepsItsOrderAcrossCompactions() {
        var deadlines = ConnectDeadlines<Connection>()
        var now: UInt64 = 0
        var deadlineOf: [UInt64] = []
        var expired: [Int] = []
        // Rounds of watching 1500 and expiring 1200 one at a time: the queue's head passes 1024 spent
        // entries with live ones behind them, and new ones join after each compaction.
        for round in 0..<5 {
            for _ in 0..<1500 {
                _ = deadlines.watch(Connection(deadlineOf.count), timeout: 1_000, now: now)
                deadlineOf.append(now + 1_000)
                now += 1
            }
            for _ in 0..<1200 {
                now = max(now, deadlineOf[expired.count])
                guard let connection = deadlines.popExpired(now: now) else {
                    return XCTFail("round \(round): #\(expired.count) did not expire at \(now)")
                }
                expired.append(connection.id)
            }
            XCTAssertEqual(deadlines.count, deadlineOf.count - expired.count)
        }
        expired += drain(&deadlines, now: .max)
        XCTAssertEqual(expired, Array(0..<deadlineOf.count))
    }

    func testThousandsOfRandomWatchesCancelsAndExpiriesMatchAPlainList() {
        struct Watched {
            let id: Int
            let ticket: ConnectDeadlines<Connection>.Ticket
            let deadline: UInt64
        }
        var generator = SeededGenerator(state: 31_337)
        let timeouts: [UInt64] = [5, 17, 100, 1_000, 5_000]
        var deadlines = ConnectDeadlines<Connection>()
        var live: [Watched] = []
        var spent: [ConnectDeadlines<Connection>.Ticket] = []
        var now: UInt64 = 1_000_000
        var nextID = 0
        var expiredCount = 0
        for operation in 0..<20_000 {
            switch generator.int(0...9) {
            case 0...4:
                let timeout = timeouts[generator.int(0...timeouts.count - 1)]
                let ticket = deadlines.watch(Connection(nextID), timeout: timeout, now: now)
                live.append(Watched(id: nextID, ticket: ticket, deadline: now + timeout))
                nextID += 1
            case 5...6 where !live.isEmpty:
                let cancelled = live.remove(at: generator.int(0...live.count - 1))
                deadlines.cancel(cancelled.ticket)
                spent.append(cancelled.ticket)
            case 7 where !spent.isEmpty:
                deadlines.cancel(spent[generator.int(0...spent.count - 1)])
            default:
                now += UInt64(generator.int(0...40))
                let due = Set(live.filter { $0.deadline <= now }.map(\.id))
                var expired: [Int] = []
                while let connection = deadlines.popExpired(now: now) {
                    guard let index = live.firstIndex(where: { $0.id == connection.id }) else {
                        return XCTFail("operation \(operation): #\(connection.id) expired but is not watched")
                    }
                    XCTAssertLessThanOrEqual(live[index].deadline, now, "#\(connection.id) expired early")
                    spent.append(live.remove(at: index).ticket)
                    expired.append(connection.id)
                }
                XCTAssertEqual(Set(expired), due, "operation \(operation) at \(now)")
                XCTAssertEqual(expired.count, due.count, "a connect expired twice")
                expiredCount += expired.count
            }
            XCTAssertEqual(deadlines.count, live.count, "operation \(operation)")
            if let earliest = live.map(\.deadline).min() {
                guard let next = deadlines.nextDeadline else { return XCTFail("operation \(operation): no next deadline") }
                XCTAssertLessThanOrEqual(next, earliest, "operation \(operation): the next deadline is late")
            }
            if deadlines.count != live.count { return }
        }
        XCTAssertGreaterThan(expiredCount, 1_000)
        XCTAssertGreaterThan(spent.count, 3_000)
        for watched in live { deadlines.cancel(watched.ticket) }
        XCTAssertEqual(deadlines.count, 0)
        XCTAssertNil(deadlines.popExpired(now: .max))
    }
}
