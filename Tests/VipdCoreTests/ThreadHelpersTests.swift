import Foundation
import VipdCore
import XCTest

/// The thread, sleep and write helpers that stand in for Foundation's Thread and FileHandle.
final class ThreadHelpersTests: XCTestCase {
    func testDetachedThreadRunsTheClosureOnAnotherThread() throws {
        let ran = expectation(description: "the closure ran")
        let caller = pthread_self()
        try DetachedThread.start {
            XCTAssertEqual(pthread_equal(pthread_self(), caller), 0)
            ran.fulfill()
        }
        wait(for: [ran], timeout: 5)
    }

    func testBlockingSleepWaitsAtLeastTheDuration() {
        let started = ContinuousClock.now
        sleepBlockingThisThread(for: .milliseconds(30))
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(30))
        let again = ContinuousClock.now
        sleepBlockingThisThread(for: .seconds(-1))
        XCTAssertLessThan(ContinuousClock.now - again, .milliseconds(20))
    }

    func testWriteFullyWritesEveryByte() throws {
        var ends: [Int32] = [-1, -1]
        XCTAssertEqual(pipe(&ends), 0)
        defer { close(ends[0]) }
        // More than a pipe holds at once, read while it is written.
        let text = String(repeating: "0123456789abcdé\n", count: 20_000)
        let writer = ends[1]
        try DetachedThread.start {
            writeFully(text, to: writer)
            close(writer)
        }
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = read(ends[0], &chunk, chunk.count)
            guard count > 0 else { break }
            received += chunk[..<count]
        }
        XCTAssertEqual(String(decoding: received, as: UTF8.self), text)
    }
}
