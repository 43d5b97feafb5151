import NIOCore
import XCTest

@testable import VipdProxy

final class TLSHandshakeDetectionTests: XCTestCase {
    private func detects(_ bytes: [UInt8]) -> Bool {
        TLSHandshakeDetection.startsWithHandshake(ByteBuffer(bytes: bytes))
    }

    func testHandshakeRecordsOfEveryTLSVersionAreRecognised() {
        for minor: UInt8 in 0...4 {
            XCTAssertTrue(detects([0x16, 0x03, minor, 0x02, 0x00, 0x01]), "version 3.\(minor)")
        }
        XCTAssertTrue(detects([0x16, 0x03, 0x01]), "the record header alone is enough")
    }

    func testHTTPAndOtherBytesAreNot() {
        XCTAssertFalse(detects(Array("GET / HTTP/1.1\r\n".utf8)))
        XCTAssertFalse(detects(Array("\r\nGET".utf8)))
        XCTAssertFalse(detects([0x16, 0x03, 0x05]), "no such TLS version")
        XCTAssertFalse(detects([0x17, 0x03, 0x03]), "application data is not a handshake")
        XCTAssertFalse(detects([0x16, 0x02, 0x00]))
        XCTAssertFalse(detects([0x16, 0x03]), "too short to tell")
        XCTAssertFalse(detects([]))
    }

    func testTheReadPositionIsWhereTheCheckStarts() {
        var buffer = ByteBuffer(bytes: [0x0D, 0x0A, 0x16, 0x03, 0x03])
        XCTAssertFalse(TLSHandshakeDetection.startsWithHandshake(buffer))
        buffer.moveReaderIndex(forwardBy: 2)
        XCTAssertTrue(TLSHandshakeDetection.startsWithHandshake(buffer))
    }
}
