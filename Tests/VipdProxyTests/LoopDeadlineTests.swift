import NIOCore
import NIOEmbedded
import XCTest

@testable import VipdProxy

final class LoopDeadlineTests: XCTestCase {
    private let loop = EmbeddedEventLoop()
    private var expiries: [NIODeadline] = []
    private lazy var deadline = LoopDeadline(on: loop) { [unowned self] in expiries.append(loop.now) }

    private var start: NIODeadline { .uptimeNanoseconds(0) }

    func testExpiresAtTheDeadlineOnce() {
        deadline.set(in: .seconds(10))
        loop.advanceTime(by: .milliseconds(9999))
        XCTAssertEqual(expiries, [])
        loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(expiries, [start + .seconds(10)])
        loop.advanceTime(by: .seconds(60))
        XCTAssertEqual(expiries.count, 1)
    }

    func testALaterDeadlineIsHonouredByThePendingTask() {
        deadline.set(in: .seconds(10))
        loop.advanceTime(by: .seconds(5))
        deadline.set(in: .seconds(10))  // now due at 15 s
        loop.advanceTime(by: .seconds(9))
        XCTAssertEqual(expiries, [], "the task of 10 s found the deadline moved and waited on")
        loop.advanceTime(by: .seconds(1))
        XCTAssertEqual(expiries, [start + .seconds(15)])
    }

    func testAnEarlierDeadlineIsNotDelayedByThePendingTask() {
        deadline.set(in: .seconds(30))
        deadline.set(in: .seconds(4))
        loop.advanceTime(by: .seconds(4))
        XCTAssertEqual(expiries, [start + .seconds(4)])
        loop.advanceTime(by: .seconds(30))
        XCTAssertEqual(expiries.count, 1, "the superseded 30 s task finds nothing to do")
    }

    func testClearedOrCancelledDeadlinesNeverExpire() {
        deadline.set(in: .seconds(1))
        deadline.clear()
        loop.advanceTime(by: .seconds(2))
        deadline.set(in: .seconds(1))
        deadline.cancel()
        loop.advanceTime(by: .seconds(2))
        XCTAssertEqual(expiries, [])
        deadline.set(in: .seconds(1))
        loop.advanceTime(by: .seconds(1))
        XCTAssertEqual(expiries, [start + .seconds(5)], "usable again after a cancel")
    }
}
