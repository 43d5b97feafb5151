import Foundation
import VipdCapture
import VipdLab
import XCTest

/// `LiveCapture` on one end of a veth pair between two network namespaces.
final class LiveCaptureTests: XCTestCase {
    private var lab: CaptureLab!

    override func setUpWithError() throws {
        try CaptureLab.requireAvailable()
        lab = try CaptureLab()
    }

    override func tearDown() {
        lab?.delete()
    }

    /// Opens a capture on `cap-a` inside the capturing namespace.
    private func openCapture(filter: String) throws -> LiveCapture {
        let interface = lab.capturingInterface
        return try lab.capturing.perform { try LiveCapture(interface: interface, filter: filter) }
    }

    func testCapturesEchoRequestsAndRepliesAndFiltersOutARP() throws {
        let capture = try openCapture(filter: "icmp")
        defer { capture.close() }
        XCTAssertEqual(capture.linkType, .ethernet)
        XCTAssertEqual(capture.interface, "cap-a")
        let start = Date().timeIntervalSince1970
        try lab.sendEchoRequests(count: 3, interval: .milliseconds(200))

        var packets: [CapturedPacket] = []
        let deadline = ContinuousClock.now + .seconds(5)
        while packets.count < 6, ContinuousClock.now < deadline, let packet = try capture.next(timeout: .seconds(1)) {
            packets.append(packet)
        }
        XCTAssertEqual(packets.count, 6, "3 requests and 3 replies")
        for packet in packets {
            XCTAssertGreaterThanOrEqual(packet.bytes.count, 14 + 20 + 8)
            XCTAssertEqual(Array(packet.bytes[12..<14]), [0x08, 0x00], "IPv4, not ARP")
            XCTAssertEqual(packet.bytes[14 + 9], 1, "ICMP")
            XCTAssertEqual(packet.originalLength, packet.bytes.count)
            let time = Double(packet.timestamp.components.seconds)
            XCTAssertTrue(time >= start - 1 && time <= Date().timeIntervalSince1970 + 1, "timestamp \(packet.timestamp)")
        }
        let types = packets.map { $0.bytes[14 + 20] }
        XCTAssertEqual(types.filter { $0 == 8 }.count, 3, "echo requests")
        XCTAssertEqual(types.filter { $0 == 0 }.count, 3, "echo replies")
        let neighbours = try lab.peer.ip(["neigh", "show", "dev", "cap-b"]).standardOutput
        XCTAssertTrue(neighbours.contains(lab.capturingAddress), "ARP did resolve the address: \(neighbours)")

        let statistics = try capture.statistics()
        XCTAssertGreaterThanOrEqual(statistics.received, 3)
        XCTAssertEqual(statistics.droppedByKernel, 0)
    }

    func testNextReturnsNilAfterTheTimeoutWhenNothingArrives() throws {
        let capture = try openCapture(filter: "icmp")
        let started = ContinuousClock.now
        XCTAssertNil(try capture.next(timeout: .milliseconds(300)))
        let elapsed = ContinuousClock.now - started
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(290))
        XCTAssertLessThan(elapsed, .seconds(3))
        XCTAssertNil(try capture.next(timeout: .zero), "a zero timeout only looks")
        XCTAssertNil(try capture.next(timeout: .seconds(-5)), "a negative timeout only looks")
    }

    func testStopFromAnotherThreadEndsAWaitPromptly() throws {
        let capture = try openCapture(filter: "icmp")
        let finished = DispatchSemaphore(value: 0)
        let outcome = OutcomeBox()
        Thread.detachNewThread {
            let started = ContinuousClock.now
            let result = Result { () throws(CaptureError) in try capture.next(timeout: .seconds(10)) }
            outcome.set(result, after: ContinuousClock.now - started)
            finished.signal()
        }
        Thread.sleep(forTimeInterval: 0.2)
        capture.stop()
        capture.stop()
        XCTAssertEqual(finished.wait(timeout: .now() + 5), .success, "next(timeout: 10 s) did not return within 5 s of stop()")
        let (result, elapsed) = try XCTUnwrap(outcome.get())
        XCTAssertEqual(try result.get(), nil)
        XCTAssertLessThan(elapsed, .seconds(5))
        XCTAssertNil(try capture.next(timeout: .seconds(10)), "after stop() next returns at once")
        capture.close()
        XCTAssertThrowsError(try capture.statistics()) { error in
            XCTAssertEqual("\(error)", "capture on cap-a: the capture is closed")
        }
    }

    func testRemovedInterfaceEndsTheCaptureWithAnError() throws {
        let capture = try openCapture(filter: "icmp")
        try lab.capturing.ip(["link", "del", "cap-a"])
        let started = ContinuousClock.now
        XCTAssertThrowsError(try capture.next(timeout: .seconds(10))) { error in
            XCTAssertEqual("\(error)", "capture on cap-a: capture failed: The interface disappeared")
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(5), "the error comes at once, not after the timeout")
    }

    func testBadFilterNamesTheFilterAndLibpcapsComplaint() throws {
        XCTAssertThrowsError(try openCapture(filter: "icmp and and")) { error in
            XCTAssertTrue("\(error)".hasPrefix("capture on cap-a: bad filter 'icmp and and': "), "\(error)")
            XCTAssertTrue("\(error)".contains("syntax error"), "\(error)")
        }
    }

    func testMissingInterfaceSaysSo() throws {
        XCTAssertThrowsError(try lab.capturing.perform { try LiveCapture(interface: "nonexistent0", filter: "") }) { error in
            XCTAssertTrue(
                "\(error)".hasPrefix("capture on nonexistent0: no such interface 'nonexistent0' in this network namespace"), "\(error)")
        }
    }

    func testNonPositiveSizesAreRejected() throws {
        XCTAssertThrowsError(try LiveCapture(interface: "lo", filter: "", snapshotLength: 0)) { error in
            XCTAssertEqual("\(error)", "capture on lo: the snapshot length must be positive, not 0")
        }
        XCTAssertThrowsError(try LiveCapture(interface: "lo", filter: "", bufferSize: -1)) { error in
            XCTAssertEqual("\(error)", "capture on lo: the buffer size must be positive, not -1")
        }
    }
}

/// What a reader thread's `next(timeout:)` returned and how long it took, handed to the test thread.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var outcome: (Result<CapturedPacket?, CaptureError>, Duration)?

    func set(_ result: Result<CapturedPacket?, CaptureError>, after elapsed: Duration) {
        lock.withLock { outcome = (result, elapsed) }
    }

    func get() -> (Result<CapturedPacket?, CaptureError>, Duration)? {
        lock.withLock { outcome }
    }
}
