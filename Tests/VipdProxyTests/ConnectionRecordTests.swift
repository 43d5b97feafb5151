import NIOCore
import XCTest

@testable import VipdProxy

final class ConnectionRecordTests: XCTestCase {
    func testLogLineCarriesWhoWhereHowLongHowMuchAndHowItEnded() throws {
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let record = ConnectionRecord(
            client: try SocketAddress(ipAddress: "127.0.0.1", port: 40312), listener: "ssh", pool: "ssh", acceptedAt: start)
        record.server = "ha0"
        record.connectedAt = start + .milliseconds(2)
        record.bytesFromClient = 3284
        record.bytesFromServer = 4213
        record.noteEnd(.clientClosed)
        record.noteEnd(.serverClosed)
        XCTAssertEqual(
            record.takeLogLine(now: start + .milliseconds(1532)),
            "127.0.0.1:40312 ssh ssh/ha0 connect=2ms duration=1532ms bytes_in=3284 bytes_out=4213 retries=0 end=client-closed")
        XCTAssertNil(record.takeLogLine(now: start + .seconds(2)), "a connection is logged once")
    }

    func testIPv6ClientAndNoServer() throws {
        let start = NIODeadline.uptimeNanoseconds(0)
        let record = ConnectionRecord(
            client: try SocketAddress(ipAddress: "::1", port: 5), listener: "ssh6", pool: "ssh", acceptedAt: start)
        record.noteEnd(.noServer)
        XCTAssertEqual(
            record.takeLogLine(now: start + .milliseconds(1)),
            "[::1]:5 ssh6 ssh/<none> connect=- duration=1ms bytes_in=0 bytes_out=0 retries=0 end=no-server")
    }
}
