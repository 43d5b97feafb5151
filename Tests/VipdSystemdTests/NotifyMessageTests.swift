import VipdSystemd
import XCTest

final class NotifyMessageTests: XCTestCase {
    func testFields() {
        XCTAssertEqual(NotifyMessage.ready.field, "READY=1")
        XCTAssertEqual(NotifyMessage.reloading.field, "RELOADING=1")
        XCTAssertEqual(NotifyMessage.stopping.field, "STOPPING=1")
        XCTAssertEqual(NotifyMessage.watchdog.field, "WATCHDOG=1")
        XCTAssertEqual(NotifyMessage.status("MASTER VI_1; ssh 2/2 up").field, "STATUS=MASTER VI_1; ssh 2/2 up")
    }

    func testStatusStaysOneLine() {
        XCTAssertEqual(NotifyMessage.status("a\nb\r\nc").field, "STATUS=a b c")
    }

    func testDatagramKeepsTheOrder() {
        XCTAssertEqual(NotifyMessage.datagram([.ready, .status("x")]), "READY=1\nSTATUS=x")
        XCTAssertEqual(NotifyMessage.datagram([.status("x"), .stopping]), "STATUS=x\nSTOPPING=1")
        XCTAssertEqual(NotifyMessage.datagram([]), "")
    }
}
