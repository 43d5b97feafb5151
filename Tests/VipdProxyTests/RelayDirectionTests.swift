import XCTest

@testable import VipdProxy

/// ``RelayDirection``'s rules one by one (backpressure, short reads, the peer's shutdown, the end of
/// input passed on after the bytes before it, pausing, partial sends), a simulated source and sink
/// driven through `nextStep()` for many seeded random chunkings, and every short sequence of legal
/// calls checked against invariants derived from the calls made.
final class RelayDirectionTests: XCTestCase {
    private let capacity = 16

    private struct UnexpectedStep: Error, CustomStringConvertible {
        let description: String
    }

    /// Stops the test unless `direction`'s next step is `step`: the call that follows is legal only then.
    private func require(_ step: RelayDirection.Step, _ direction: RelayDirection) throws {
        let actual = direction.nextStep()
        guard actual == step else { throw UnexpectedStep(description: "next step \(actual), expected \(step): \(direction)") }
    }

    // MARK: - Reading

    func testANewDirectionWaitsForItsSource() {
        var direction = RelayDirection()
        XCTAssertEqual(direction.nextStep(), .wait)
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .wait, "a writable sink with nothing read is no reason to act")
        XCTAssertFalse(direction.inputEnded)
        XCTAssertFalse(direction.inputForwarded)
        XCTAssertFalse(direction.isFinished)
        XCTAssertTrue(direction.isSettled)
    }

    func testAReadableSourceIsRead() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        XCTAssertEqual(direction.nextStep(), .receive)
    }

    func testAFullReadIsFollowedByAnotherOnceTheBytesAreSent() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.sinkReady()
        direction.received(capacity, of: capacity)
        XCTAssertEqual(direction.waitingBytes, capacity)
        XCTAssertEqual(direction.nextStep(), .send)
        direction.sent(capacity)
        XCTAssertEqual(direction.waitingBytes, 0)
        XCTAssertEqual(direction.nextStep(), .receive, "a full read may have left bytes in the socket")
    }

    func testAShortReadEmptiesTheSocket() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.sinkReady()
        direction.received(5, of: capacity)
        XCTAssertFalse(direction.inputEnded, "a short read is no end of input before the peer's shutdown")
        direction.sent(5)
        XCTAssertEqual(direction.nextStep(), .wait, "no read until epoll reports new bytes")
        direction.sourceReady(peerShutDown: false)
        XCTAssertEqual(direction.nextStep(), .receive)
    }

    func testAReadThatWouldBlockWaitsForTheNextEdge() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.receiveWouldBlock()
        XCTAssertEqual(direction.nextStep(), .wait)
        XCTAssertEqual(direction.waitingBytes, 0)
        XCTAssertFalse(direction.inputEnded)
        direction.sourceReady(peerShutDown: false)
        XCTAssertEqual(direction.nextStep(), .receive)
    }

    func testAReadOfZeroEndsTheInput() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.received(0, of: capacity)
        XCTAssertTrue(direction.inputEnded)
        XCTAssertEqual(direction.waitingBytes, 0)
        XCTAssertEqual(direction.nextStep(), .shutDownSink, "nothing waits, so the end of input is passed on at once")
        direction.sourceReady(peerShutDown: true)
        XCTAssertEqual(direction.nextStep(), .shutDownSink, "no read after the end of input")
    }

    func testAShortReadAfterThePeersShutdownEndsTheInputWithoutAnotherRead() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: true)
        direction.sinkReady()
        direction.received(5, of: capacity)
        XCTAssertTrue(direction.inputEnded)
        XCTAssertEqual(direction.waitingBytes, 5)
        XCTAssertEqual(direction.nextStep(), .send)
        direction.sent(5)
        XCTAssertEqual(direction.nextStep(), .shutDownSink)
    }

    func testThePeersShutdownReportedEarlierCountsForALaterShortRead() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: true)
        direction.received(capacity, of: capacity)
        XCTAssertFalse(direction.inputEnded, "a full read may have left bytes before the end")
        direction.sinkReady()
        direction.sent(capacity)
        XCTAssertEqual(direction.nextStep(), .receive)
        direction.sourceReady(peerShutDown: false)  // a later edge without the flag does not undo it
        direction.received(1, of: capacity)
        XCTAssertTrue(direction.inputEnded)
    }

    func testAFullReadAfterThePeersShutdownReadsOnToTheEnd() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: true)
        direction.sinkReady()
        direction.received(capacity, of: capacity)
        direction.sent(capacity)
        XCTAssertEqual(direction.nextStep(), .receive)
        direction.received(0, of: capacity)
        XCTAssertTrue(direction.inputEnded)
        XCTAssertEqual(direction.nextStep(), .shutDownSink)
    }

    func testTheShutdownFlagArrivingAfterAShortReadBringsOneMoreRead() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.sinkReady()
        direction.received(3, of: capacity)
        direction.sent(3)
        XCTAssertEqual(direction.nextStep(), .wait)
        direction.sourceReady(peerShutDown: true)
        XCTAssertEqual(direction.nextStep(), .receive, "the socket may hold bytes that came with the shutdown")
        direction.received(0, of: capacity)
        XCTAssertTrue(direction.inputEnded)
    }

    // MARK: - Backpressure and sending

    func testNoReadWhileBytesWait() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.received(capacity, of: capacity)
        XCTAssertEqual(direction.nextStep(), .wait, "the sink was never reported writable")
        direction.sourceReady(peerShutDown: false)
        XCTAssertEqual(direction.nextStep(), .wait, "a readable source is not read while bytes wait")
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .send)
    }

    func testAPartialSendWaitsForTheSinkWithTheRestHeld() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.sinkReady()
        direction.received(capacity, of: capacity)
        direction.sent(4)
        XCTAssertEqual(direction.waitingBytes, capacity - 4)
        XCTAssertFalse(direction.isSettled)
        XCTAssertEqual(direction.nextStep(), .wait, "a short send means the sink is full")
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .send)
        direction.sent(capacity - 4)
        XCTAssertTrue(direction.isSettled)
        XCTAssertEqual(direction.nextStep(), .receive, "the full read may have left bytes in the socket")
    }

    func testASendThatWouldBlockWaitsForTheSink() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.sinkReady()
        direction.received(10, of: capacity)
        direction.sendWouldBlock()
        XCTAssertEqual(direction.waitingBytes, 10)
        XCTAssertEqual(direction.nextStep(), .wait)
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .send)
    }

    func testACompleteSendKeepsTheSinkWritable() {
        var direction = RelayDirection()
        direction.sinkReady()
        for _ in 0..<3 {
            direction.sourceReady(peerShutDown: false)
            direction.received(7, of: capacity)
            XCTAssertEqual(direction.nextStep(), .send, "no new edge is needed after a send took everything")
            direction.sent(7)
        }
    }

    // MARK: - The end of input

    func testTheEndOfInputIsPassedOnOnlyAfterEveryByteBeforeIt() throws {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: true)
        direction.received(9, of: capacity)
        XCTAssertTrue(direction.inputEnded)
        XCTAssertEqual(direction.nextStep(), .wait, "bytes wait for the sink: no shutdown yet")
        direction.sinkReady()
        direction.sent(4)
        XCTAssertEqual(direction.nextStep(), .wait)
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .send)
        direction.sent(5)
        try require(.shutDownSink, direction)
        XCTAssertFalse(direction.isFinished)
        direction.forwardedEndOfInput()
        XCTAssertTrue(direction.inputForwarded)
        XCTAssertTrue(direction.isFinished)
        XCTAssertEqual(direction.nextStep(), .wait)
    }

    func testAFinishedDirectionStaysFinishedWhateverEpollSays() throws {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.received(0, of: capacity)
        try require(.shutDownSink, direction)
        direction.forwardedEndOfInput()
        direction.sourceReady(peerShutDown: true)
        direction.sinkReady()
        direction.pause()
        XCTAssertTrue(direction.isFinished)
        XCTAssertEqual(direction.nextStep(), .wait)
    }

    // MARK: - Pausing

    func testAPausedDirectionReadsNoMore() {
        var direction = RelayDirection()
        direction.pause()
        direction.sourceReady(peerShutDown: false)
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .wait)
        XCTAssertTrue(direction.isSettled)
        XCTAssertFalse(direction.isFinished, "paused is not over: the input did not end")
    }

    func testAPausedDirectionStillSendsWhatItHolds() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: false)
        direction.received(capacity, of: capacity)
        direction.pause()
        XCTAssertFalse(direction.isSettled)
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .send)
        direction.sent(capacity - 1)
        direction.sinkReady()
        XCTAssertEqual(direction.nextStep(), .send)
        direction.sent(1)
        XCTAssertTrue(direction.isSettled)
        XCTAssertEqual(direction.nextStep(), .wait, "the source is still readable, but paused")
    }

    func testAPausedDirectionStillPassesOnAnEndOfInputItRead() {
        var direction = RelayDirection()
        direction.sourceReady(peerShutDown: true)
        direction.received(3, of: capacity)
        direction.pause()
        direction.sinkReady()
        direction.sent(3)
        XCTAssertEqual(direction.nextStep(), .shutDownSink)
    }

    // MARK: - A simulated source and sink

    /// A source socket fed with chunks and then the peer's shutdown, a sink socket of a fixed
    /// capacity drained by its reader, and epoll's edges for both; ``pump()`` does what the
    /// direction says, as the relay does.
    private struct Simulation {
        var direction = RelayDirection()
        let readSize: Int
        let sinkCapacity: Int
        /// Chunks still to arrive at the source, in order; then the peer's shutdown.
        var arrivals: [[UInt8]]
        var peerShutDown = false
        /// Bytes in the source socket, not read yet.
        var sourceBuffer: [UInt8] = []
        /// Bytes read and not sent: the direction's `waitingBytes` of them.
        var held: [UInt8] = []
        /// Bytes in the sink socket, not taken by its reader yet.
        var sinkBuffer: [UInt8] = []
        /// What the sink's reader took, in order.
        var delivered: [UInt8] = []
        var sinkShutDown = false
        var reads = 0
        var readsAfterPause = 0
        /// The first rule the direction broke, after which the simulation stops.
        var broken: String?

        init(chunks: [[UInt8]], readSize: Int, sinkCapacity: Int) {
            arrivals = chunks
            self.readSize = readSize
            self.sinkCapacity = sinkCapacity
            direction.sinkReady()  // a new connection's sink has room
        }

        /// The next chunk (or the shutdown) arrives at the source, and epoll reports an edge.
        mutating func arrive() {
            if arrivals.isEmpty {
                peerShutDown = true
            } else {
                sourceBuffer += arrivals.removeFirst()
            }
            direction.sourceReady(peerShutDown: peerShutDown)
        }

        /// The sink's reader takes up to `count` bytes; epoll reports an edge when a full sink gets room.
        mutating func drain(_ count: Int) {
            let wasFull = sinkBuffer.count == sinkCapacity
            let taken = min(count, sinkBuffer.count)
            delivered += sinkBuffer.prefix(taken)
            sinkBuffer.removeFirst(taken)
            if wasFull, taken > 0 { direction.sinkReady() }
        }

        /// Steps until the direction waits, checking each step against what the sockets hold; stops at
        /// the first broken rule (``broken``).
        mutating func pump() {
            guard broken == nil else { return }
            for _ in 0..<10_000 {
                let step = direction.nextStep()
                if held.count != direction.waitingBytes {
                    broken = "\(held.count) bytes held, \(direction.waitingBytes) waiting"
                    return
                }
                switch step {
                case .receive:
                    if !held.isEmpty { broken = "a read while bytes wait" }
                    if direction.inputEnded { broken = "a read after the end of input" }
                    guard broken == nil else { return }
                    reads += 1
                    if direction.paused { readsAfterPause += 1 }
                    if sourceBuffer.isEmpty, !peerShutDown {
                        direction.receiveWouldBlock()
                    } else {
                        let count = min(readSize, sourceBuffer.count)
                        held = Array(sourceBuffer.prefix(count))
                        sourceBuffer.removeFirst(count)
                        direction.received(count, of: readSize)
                    }
                case .send:
                    let room = sinkCapacity - sinkBuffer.count
                    if room == 0 {
                        direction.sendWouldBlock()
                    } else {
                        let count = min(room, held.count)
                        sinkBuffer += held.prefix(count)
                        held.removeFirst(count)
                        direction.sent(count)
                    }
                case .shutDownSink:
                    if !held.isEmpty { broken = "the end of input passed on before bytes before it" }
                    if !peerShutDown || !sourceBuffer.isEmpty { broken = "the end of input passed on before every byte was read" }
                    if sinkShutDown { broken = "the sink shut down twice" }
                    guard broken == nil else { return }
                    sinkShutDown = true
                    direction.forwardedEndOfInput()
                case .wait:
                    return
                }
            }
            broken = "never waits"
        }
    }

    private func randomChunks(using generator: inout SeededGenerator) -> [[UInt8]] {
        var next: UInt8 = 0
        return (0..<generator.int(0...12)).map { _ in
            (0..<generator.int(0...20)).map { _ in
                next &+= 1
                return next
            }
        }
    }

    func testRandomChunkingsArriveWholeInOrderAndEndWithOneShutdown() {
        var generator = SeededGenerator(state: 20_260_601)
        for run in 0..<3000 {
            let chunks = randomChunks(using: &generator)
            let input = chunks.flatMap { $0 }
            var simulation = Simulation(
                chunks: chunks, readSize: generator.int(1...24), sinkCapacity: generator.int(1...24))
            // Events in a random order: an arrival, the sink's reader taking some, or a spurious edge.
            var events = 0
            while simulation.broken == nil, !(simulation.direction.isFinished && simulation.sinkBuffer.isEmpty) {
                events += 1
                guard events < 10_000 else { break }
                let canArrive = !simulation.peerShutDown
                let canDrain = !simulation.sinkBuffer.isEmpty
                guard canArrive || canDrain else { break }  // stuck: nothing outside can move it on
                switch generator.int(0...9) {
                case 0: simulation.direction.sourceReady(peerShutDown: simulation.peerShutDown)
                case 1: simulation.direction.sinkReady()
                case 2...5 where canArrive: simulation.arrive()
                default:
                    if canDrain { simulation.drain(generator.int(1...24)) } else { simulation.arrive() }
                }
                simulation.pump()
            }
            let context = "run \(run): chunks \(chunks.map(\.count)), read size \(simulation.readSize), sink \(simulation.sinkCapacity)"
            XCTAssertNil(simulation.broken, context)
            XCTAssertTrue(simulation.direction.isFinished, "stuck: \(context), \(simulation.direction)")
            XCTAssertTrue(simulation.sinkShutDown, context)
            XCTAssertEqual(simulation.delivered, input, context)
            if simulation.broken != nil || simulation.delivered != input || !simulation.direction.isFinished { return }
        }
    }

    func testTheShutdownNeedsNoExtraReadWhenTheLastReadIsShort() {
        let chunks: [[UInt8]] = [Array(1...5)]
        var simulation = Simulation(chunks: chunks, readSize: 8, sinkCapacity: 64)
        simulation.arrive()  // the bytes
        simulation.pump()
        simulation.arrive()  // the shutdown
        simulation.pump()
        XCTAssertNil(simulation.broken)
        XCTAssertEqual(simulation.reads, 2, "one read of the bytes, one read of 0 after them")
        XCTAssertTrue(simulation.sinkShutDown)

        var together = Simulation(chunks: [], readSize: 8, sinkCapacity: 64)
        together.sourceBuffer = Array(1...5)
        together.arrive()  // the shutdown, reported with the bytes before it
        together.pump()
        XCTAssertNil(together.broken)
        XCTAssertEqual(together.reads, 1, "the short read after the shutdown was the last one")
        XCTAssertTrue(together.sinkShutDown)
        XCTAssertEqual(together.sinkBuffer, Array(1...5))
    }

    func testAPauseAtAnyPointStopsTheReadsAndSendsWhatWasRead() {
        var generator = SeededGenerator(state: 71_117)
        for run in 0..<1000 {
            let chunks = randomChunks(using: &generator)
            let input = chunks.flatMap { $0 }
            var simulation = Simulation(
                chunks: chunks, readSize: generator.int(1...24), sinkCapacity: generator.int(1...24))
            let pauseAfter = generator.int(0...20)
            for event in 0..<40 {
                if event == pauseAfter { simulation.direction.pause() }
                if generator.chance(50), !simulation.peerShutDown {
                    simulation.arrive()
                } else {
                    simulation.drain(generator.int(1...24))
                }
                simulation.pump()
            }
            // The reader takes all: the paused direction ends settled, with a prefix of the input sent.
            while simulation.broken == nil, !simulation.sinkBuffer.isEmpty {
                simulation.drain(simulation.sinkCapacity)
                simulation.pump()
            }
            let context = "run \(run): pause after \(pauseAfter) events"
            XCTAssertNil(simulation.broken, context)
            XCTAssertTrue(simulation.direction.isSettled, context)
            XCTAssertEqual(simulation.readsAfterPause, 0, context)
            XCTAssertEqual(simulation.delivered + simulation.sourceBuffer + simulation.arrivals.flatMap { $0 }, input, context)
            if simulation.broken != nil || !simulation.direction.isSettled { return }
        }
    }

    // MARK: - Every short sequence of calls

    /// A call the relay may make on a direction in the state reached.
    private enum Call: CustomStringConvertible {
        case sourceReady(peerShutDown: Bool)
        case sinkReady
        case pause
        case received(Int)
        case receiveWouldBlock
        case sent(Int)
        case sendWouldBlock
        case forwardedEndOfInput

        var description: String {
            switch self {
            case .sourceReady(let peerShutDown): "sourceReady(peerShutDown: \(peerShutDown))"
            case .sinkReady: "sinkReady"
            case .pause: "pause"
            case .received(let count): "received(\(count))"
            case .receiveWouldBlock: "receiveWouldBlock"
            case .sent(let count): "sent(\(count))"
            case .sendWouldBlock: "sendWouldBlock"
            case .forwardedEndOfInput: "forwardedEndOfInput"
            }
        }
    }

    /// What the calls so far say the direction must be, by the documented rules.
    private struct Expected {
        /// A source edge with no read since that came back short, empty or would block.
        var sourceReadable = false
        /// A sink edge with no send since that came back short or would block.
        var sinkWritable = false
        var peerShutDown = false
        var paused = false
        /// Bytes received less bytes sent.
        var waiting = 0
        /// A read of 0, or a short read after the peer's shutdown.
        var inputEnded = false
        var inputForwarded = false

        mutating func apply(_ call: Call, capacity: Int) {
            switch call {
            case .sourceReady(let shutDown):
                sourceReadable = true
                peerShutDown = peerShutDown || shutDown
            case .sinkReady: sinkWritable = true
            case .pause: paused = true
            case .received(let count):
                waiting += count
                if count < capacity { sourceReadable = false }
                if count == 0 || (count < capacity && peerShutDown) { inputEnded = true }
            case .receiveWouldBlock: sourceReadable = false
            case .sent(let count):
                waiting -= count
                if waiting > 0 { sinkWritable = false }
            case .sendWouldBlock: sinkWritable = false
            case .forwardedEndOfInput: inputForwarded = true
            }
        }

        /// The step the rules call for: sending comes first, then the end of input, then reading.
        var step: RelayDirection.Step {
            if waiting > 0 { return sinkWritable ? .send : .wait }
            if inputEnded { return inputForwarded ? .wait : .shutDownSink }
            return sourceReadable && !paused ? .receive : .wait
        }
    }

    private func legalCalls(after step: RelayDirection.Step, waiting: Int) -> [Call] {
        var calls: [Call] = [.sourceReady(peerShutDown: false), .sourceReady(peerShutDown: true), .sinkReady, .pause]
        switch step {
        case .receive: calls += [.received(capacity), .received(1), .received(0), .receiveWouldBlock]
        case .send: calls += (waiting > 1 ? [.sent(waiting), .sent(1)] : [.sent(waiting)]) + [.sendWouldBlock]
        case .shutDownSink: calls.append(.forwardedEndOfInput)
        case .wait: break
        }
        return calls
    }

    private func apply(_ call: Call, to direction: inout RelayDirection) {
        switch call {
        case .sourceReady(let peerShutDown): direction.sourceReady(peerShutDown: peerShutDown)
        case .sinkReady: direction.sinkReady()
        case .pause: direction.pause()
        case .received(let count): direction.received(count, of: capacity)
        case .receiveWouldBlock: direction.receiveWouldBlock()
        case .sent(let count): direction.sent(count)
        case .sendWouldBlock: direction.sendWouldBlock()
        case .forwardedEndOfInput: direction.forwardedEndOfInput()
        }
    }

    /// Checks `direction` after `calls` against the rules; false after the first failure.
    private func check(_ direction: RelayDirection, _ expected: Expected, after calls: [Call]) -> Bool {
        let step = direction.nextStep()
        var failures: [String] = []
        if step == .receive, direction.waitingBytes > 0 || expected.paused || direction.inputEnded {
            failures.append("receive while bytes wait, paused or after the end of input")
        }
        if step == .shutDownSink, !(direction.inputEnded && direction.waitingBytes == 0 && !direction.inputForwarded) {
            failures.append("shutDownSink before the end of input, with bytes waiting, or twice")
        }
        if direction.isFinished, !(direction.inputForwarded && direction.waitingBytes == 0) {
            failures.append("finished with bytes waiting or the end of input not passed on")
        }
        if direction.isFinished != (expected.inputForwarded && expected.waiting == 0) { failures.append("isFinished") }
        if direction.isSettled != (expected.waiting == 0) { failures.append("isSettled") }
        if direction.waitingBytes != expected.waiting { failures.append("waitingBytes \(direction.waitingBytes), expected \(expected.waiting)") }
        if direction.inputEnded != expected.inputEnded { failures.append("inputEnded \(direction.inputEnded)") }
        if direction.inputForwarded != expected.inputForwarded { failures.append("inputForwarded \(direction.inputForwarded)") }
        if step != expected.step { failures.append("step \(step), expected \(expected.step)") }
        guard failures.isEmpty else {
            XCTFail("after \(calls): \(failures.joined(separator: "; "))")
            return false
        }
        return true
    }

    func testEverySequenceOfUpToEightLegalCallsKeepsTheRules() {
        var sequences = 0
        var reachedSteps: Set<RelayDirection.Step> = []
        func explore(_ direction: RelayDirection, _ expected: Expected, _ calls: [Call]) -> Bool {
            sequences += 1
            guard check(direction, expected, after: calls) else { return false }
            reachedSteps.insert(direction.nextStep())
            guard calls.count < 8 else { return true }
            for call in legalCalls(after: direction.nextStep(), waiting: direction.waitingBytes) {
                var nextDirection = direction
                var nextExpected = expected
                apply(call, to: &nextDirection)
                nextExpected.apply(call, capacity: capacity)
                guard explore(nextDirection, nextExpected, calls + [call]) else { return false }
            }
            return true
        }
        XCTAssertTrue(explore(RelayDirection(), Expected(), []))
        XCTAssertGreaterThan(sequences, 600_000, "every legal call at every state reached")
        XCTAssertEqual(reachedSteps, [.receive, .send, .shutDownSink, .wait])
    }
}
