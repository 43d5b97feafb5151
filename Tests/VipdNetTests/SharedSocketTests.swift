import CVipdSys
import XCTest

@testable import VipdNet

#if canImport(Glibc)
import Glibc
#endif

/// The close signal a reader thread blocks on beside its socket.
final class SharedSocketTests: XCTestCase {
    private func isReadable(_ descriptor: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        return poll(&entry, 1, 0) == 1
    }

    func testCloseRaisesTheSignalOnceAndForAll() throws {
        let socket = try SharedSocket(
            domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0, purpose: "test socket", interfaceName: nil,
            call: "socket(AF_INET, SOCK_DGRAM)")
        XCTAssertFalse(isReadable(socket.closeSignal), "quiet while the socket is open")
        XCTAssertNotNil(socket.currentDescriptor)
        socket.close()
        XCTAssertNil(socket.currentDescriptor)
        XCTAssertTrue(isReadable(socket.closeSignal))
        socket.close()
        XCTAssertTrue(isReadable(socket.closeSignal), "stays raised, whoever polls it later")
    }

    func testTheReaderThreadWakesAtCloseWithoutATimeout() throws {
        let socket = try SharedSocket(
            domain: AF_INET, type: Int32(SOCK_DGRAM.rawValue), protocol: 0, purpose: "test socket", interfaceName: nil,
            call: "socket(AF_INET, SOCK_DGRAM)")
        let exited = expectation(description: "the reader thread exits")
        try ReaderThread.start(socket: socket, onReadable: {}, onExit: { exited.fulfill() })
        socket.close()
        wait(for: [exited], timeout: 10)
    }
}
