import NIOCore
import NIOEmbedded
import XCTest

@testable import VipdProxy

/// The drain's collector as values: who is told to finish, and when the waiters are resumed.
final class ConnectionQuiescingTests: XCTestCase {
    private typealias Quiescing = ConnectionQuiescing<Int, String, String>

    private func resumed(_ action: Quiescing.DrainAction) -> String? {
        if case .resume(let waiter) = action { return waiter }
        return nil
    }

    private func quiesced(_ action: Quiescing.DrainAction) -> [String]? {
        if case .quiesce(let connections) = action { return connections.sorted() }
        return nil
    }

    func testConnectionsComeAndGoUntouchedBeforeTheDrain() {
        var state = Quiescing()
        XCTAssertNil(state.add("a", key: 1))
        XCTAssertNil(state.add("b", key: 2))
        XCTAssertEqual(state.remove(1), [])
        XCTAssertEqual(state.open, [2: "b"])
        XCTAssertFalse(state.isDraining)
    }

    func testADrainWithNothingOpenResumesAtOnce() {
        var state = Quiescing()
        XCTAssertEqual(resumed(state.drain("w")), "w")
        XCTAssertTrue(state.isDraining)
        XCTAssertEqual(resumed(state.drain("again")), "again")
    }

    func testTheDrainQuiescesEveryOpenConnectionAndResumesAtTheLastClose() {
        var state = Quiescing()
        _ = state.add("a", key: 1)
        _ = state.add("b", key: 2)
        XCTAssertEqual(quiesced(state.drain("w")), ["a", "b"])
        XCTAssertEqual(state.remove(1), [])
        XCTAssertEqual(state.remove(2), ["w"])
        XCTAssertEqual(state.remove(2), [], "an unknown connection changes nothing")
        XCTAssertTrue(state.open.isEmpty)
    }

    func testASecondDrainWaitsWithTheFirstWithoutQuiescingAgain() {
        var state = Quiescing()
        _ = state.add("a", key: 1)
        XCTAssertEqual(quiesced(state.drain("first")), ["a"])
        guard case .wait = state.drain("second") else { return XCTFail("the second drain waits") }
        XCTAssertEqual(state.remove(1), ["first", "second"])
    }

    func testAConnectionOpenedDuringTheDrainIsQuiescedAndWaitedFor() {
        var state = Quiescing()
        _ = state.add("a", key: 1)
        _ = state.drain("w")
        XCTAssertEqual(state.add("late", key: 2), "late")
        XCTAssertEqual(state.remove(1), [])
        XCTAssertEqual(state.remove(2), ["w"])
    }

    func testAConnectionOpenedAfterTheDrainEndedIsStillQuiescedAndResumesNobody() {
        var state = Quiescing()
        _ = state.drain("w")
        XCTAssertEqual(state.add("late", key: 1), "late")
        XCTAssertEqual(state.remove(1), [])
    }

    /// The tracker sends `ChannelShouldQuiesceEvent` down the pipeline and succeeds the promise at the last close.
    func testTheTrackerQuiescesItsChannelsAndReportsTheLastClose() throws {
        let loop = EmbeddedEventLoop()
        let events = EventRecorder()
        let channel = EmbeddedChannel(handler: events, loop: loop)
        let tracker = ConnectionTracker(eventLoop: loop)
        tracker.track(channel)
        let allClosed = loop.makePromise(of: Void.self)
        var done = false
        allClosed.futureResult.whenSuccess { done = true }
        XCTAssertEqual(tracker.quiesce(whenAllClosed: allClosed), 1)
        loop.run()
        XCTAssertEqual(events.quiesceEvents, 1)
        XCTAssertFalse(done)
        _ = try channel.finish()
        loop.run()
        XCTAssertTrue(done)
        XCTAssertEqual(tracker.count, 0)
    }

    private final class EventRecorder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        var quiesceEvents = 0

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if event is ChannelShouldQuiesceEvent { quiesceEvents += 1 }
            context.fireUserInboundEventTriggered(event)
        }
    }
}
