import VipdVRRP
import XCTest

/// An instance whose interface is missing at start, goes away, comes back or is created again.
final class InterfaceAttachmentTests: XCTestCase {
    func testAMissingInterfaceIsWaitedForAndTheInstanceStartsWhenItIsThereAndUp() {
        var attachment = InterfaceAttachment()
        XCTAssertEqual(attachment.observed(interfaceIndex: nil, isUp: false), [])
        XCTAssertNil(attachment.runningOn)
        XCTAssertEqual(attachment.observed(interfaceIndex: 7, isUp: false), [], "created, not configured and up yet")
        XCTAssertNil(attachment.runningOn)
        XCTAssertEqual(attachment.observed(interfaceIndex: 7, isUp: true), [.start(interfaceIndex: 7)])
        XCTAssertEqual(attachment.runningOn, 7)
        XCTAssertEqual(attachment.observed(interfaceIndex: 7, isUp: false), [], "down is tracking's business (FAULT), not a new interface")
        XCTAssertEqual(attachment.observed(interfaceIndex: 7, isUp: true), [])
    }

    func testAnInterfaceThatGoesAwayRetiresTheInstanceUntilItReturns() {
        var attachment = InterfaceAttachment()
        _ = attachment.observed(interfaceIndex: 3, isUp: true)
        XCTAssertEqual(attachment.observed(interfaceIndex: nil, isUp: false), [.retire])
        XCTAssertNil(attachment.runningOn)
        XCTAssertEqual(attachment.observed(interfaceIndex: nil, isUp: false), [], "retired once")
        XCTAssertEqual(attachment.observed(interfaceIndex: 9, isUp: true), [.start(interfaceIndex: 9)])
    }

    func testAnInterfaceCreatedAgainUnderAnotherIndexReopensTheInstanceOnceUp() {
        var attachment = InterfaceAttachment()
        _ = attachment.observed(interfaceIndex: 3, isUp: true)
        XCTAssertEqual(attachment.observed(interfaceIndex: 4, isUp: true), [.retire, .start(interfaceIndex: 4)])
        XCTAssertEqual(attachment.runningOn, 4)
        XCTAssertEqual(attachment.observed(interfaceIndex: 5, isUp: false), [.retire], "the old one is gone; the new one is not up")
        XCTAssertEqual(attachment.observed(interfaceIndex: 5, isUp: true), [.start(interfaceIndex: 5)])
    }

    func testAnInstanceOpenedAtStartOnAnInterfaceThatIsDownStaysOnIt() {
        var attachment = InterfaceAttachment()
        attachment.started(on: 2)
        XCTAssertEqual(attachment.observed(interfaceIndex: 2, isUp: true), [])
        XCTAssertEqual(attachment.observed(interfaceIndex: nil, isUp: false), [.retire])
    }

    func testAFailedStartIsTriedAgainAtTheNextObservation() {
        var attachment = InterfaceAttachment()
        XCTAssertEqual(attachment.observed(interfaceIndex: 5, isUp: true), [.start(interfaceIndex: 5)])
        attachment.startFailed()
        XCTAssertNil(attachment.runningOn)
        XCTAssertEqual(attachment.observed(interfaceIndex: 5, isUp: true), [.start(interfaceIndex: 5)])
        attachment.startFailed()
        XCTAssertEqual(attachment.observed(interfaceIndex: nil, isUp: false), [], "nothing ran, nothing to retire")
    }
}
