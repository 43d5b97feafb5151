import NIOCore
import NIOEmbedded
import XCTest

@testable import VipdProxy

final class IdleSweepTests: XCTestCase {
    private let loop = EmbeddedEventLoop()
    private let sweeps = IdleSweeps()

    /// A connected client channel watched with an idle timeout of 8 s (a sweep every second).
    private func watched() throws -> (channel: EmbeddedChannel, record: ConnectionRecord, closer: IdleTimeoutCloser) {
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 22)).wait()
        let record = ConnectionRecord(client: nil, listener: "ssh", pool: "ssh", acceptedAt: .now())
        let closer = IdleTimeoutCloser.start(for: channel, record: record, timeout: .seconds(8), sweeps: sweeps)
        return (channel, record, closer)
    }

    func testAQuietConnectionClosesWithinOneSweepAfterTheTimeout() throws {
        let (channel, record, _) = try watched()
        loop.advanceTime(by: .seconds(8))
        XCTAssertTrue(channel.isActive, "closed before the timeout")
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive, "open a sweep after the timeout")
        XCTAssertEqual(record.end, .idleTimeout)
    }

    func testAByteEitherWayRestartsTheTimeout() throws {
        let (channel, record, _) = try watched()
        loop.advanceTime(by: .seconds(7))
        record.bytesFromServer += 1
        loop.advanceTime(by: .milliseconds(500))
        loop.advanceTime(by: .milliseconds(7500))
        XCTAssertTrue(channel.isActive, "the timeout did not restart at the byte")
        record.bytesFromClient += 1
        loop.advanceTime(by: .seconds(8))
        XCTAssertTrue(channel.isActive, "the timeout did not restart at the client's byte")
        loop.advanceTime(by: .seconds(2))
        XCTAssertFalse(channel.isActive)
    }

    func testAClosedConnectionLeavesTheSweepAndOthersStayWatched() throws {
        let first = try watched()
        let second = try watched()
        let sweep = sweeps.sweep(on: loop, timeout: .seconds(8))
        XCTAssertEqual(sweep.count, 2)
        try first.channel.close().wait()
        loop.run()
        XCTAssertEqual(sweep.count, 1)
        loop.advanceTime(by: .seconds(9))
        XCTAssertFalse(second.channel.isActive)
        XCTAssertEqual(sweep.count, 0)
        XCTAssertNotEqual(first.record.end, .idleTimeout)
    }

    func testALongTimeoutIsSweptEverySecondAndKeptToWithinIt() throws {
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 22)).wait()
        let record = ConnectionRecord(client: nil, listener: "ssh", pool: "ssh", acceptedAt: .now())
        let closer = IdleTimeoutCloser.start(for: channel, record: record, timeout: .seconds(3600), sweeps: sweeps)
        let sweep = sweeps.sweep(on: loop, timeout: .seconds(3600))
        XCTAssertEqual(sweep.interval, .seconds(1))
        XCTAssertEqual(sweep.quietSweepsAllowed, 3600)
        loop.advanceTime(by: .seconds(3599))
        record.bytesFromClient += 1
        loop.advanceTime(by: .milliseconds(500))
        loop.advanceTime(by: .seconds(3600))
        XCTAssertTrue(channel.isActive, "closed before the timeout after the last byte")
        loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(channel.isActive, "open two sweeps after the timeout")
        XCTAssertEqual(record.end, .idleTimeout)
        _ = closer
    }

    func testAnUnevenTimeoutIsNotCutShort() {
        let sweep = sweeps.sweep(on: loop, timeout: .milliseconds(2500))
        XCTAssertEqual(sweep.interval, .nanoseconds(312_500_000))
        XCTAssertEqual(sweep.quietSweepsAllowed, 8)
        let long = sweeps.sweep(on: loop, timeout: .milliseconds(10_500))
        XCTAssertEqual(long.interval, .seconds(1))
        XCTAssertEqual(long.quietSweepsAllowed, 11, "10.5 s needs 11 quiet sweeps of 1 s, not 10")
    }

    func testEachTimeoutLengthHasItsOwnSweep() {
        XCTAssertTrue(sweeps.sweep(on: loop, timeout: .seconds(8)) === sweeps.sweep(on: loop, timeout: .seconds(8)))
        XCTAssertFalse(sweeps.sweep(on: loop, timeout: .seconds(8)) === sweeps.sweep(on: loop, timeout: .seconds(9)))
    }
}
