import Foundation
import VipdLab
import VipdSystemd
import XCTest

/// The notifier through the real libsystemd against a real AF_UNIX datagram socket bound by the test,
/// with `$NOTIFY_SOCKET`, `$WATCHDOG_USEC` and `$WATCHDOG_PID` set as systemd sets them.
final class ServiceNotifierTests: XCTestCase {
    private var directory: LabDirectory!
    private var receiver: NotifySocketReceiver!

    override func setUpWithError() throws {
        directory = try LabDirectory(prefix: "vipd-notify")
        receiver = try NotifySocketReceiver(path: directory.file("notify").path)
        setenv("NOTIFY_SOCKET", receiver.path, 1)
    }

    override func tearDown() {
        for name in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] { unsetenv(name) }
        receiver = nil
        directory.remove()
    }

    func testMessagesArriveInOneDatagramInOrder() {
        let notifier = ServiceNotifier()
        XCTAssertTrue(notifier.isEnabled)
        XCTAssertTrue(notifier.send(.ready, .status("MASTER VI_1; ssh 2/2 up")))
        XCTAssertEqual(receiver.receive(timeout: .seconds(10)), "READY=1\nSTATUS=MASTER VI_1; ssh 2/2 up")
        XCTAssertTrue(notifier.send(.reloading))
        XCTAssertTrue(notifier.send(.watchdog))
        XCTAssertTrue(notifier.send([.stopping, .status("stopping")]))
        XCTAssertEqual(receiver.receive(timeout: .seconds(10)), "RELOADING=1")
        XCTAssertEqual(receiver.receive(timeout: .seconds(10)), "WATCHDOG=1")
        XCTAssertEqual(receiver.receive(timeout: .seconds(10)), "STOPPING=1\nSTATUS=stopping")
    }

    func testNothingIsSentWithoutNotifySocket() {
        unsetenv("NOTIFY_SOCKET")
        let notifier = ServiceNotifier()
        XCTAssertFalse(notifier.isEnabled)
        XCTAssertTrue(notifier.send(.ready))
        XCTAssertNil(receiver.receive(timeout: .milliseconds(300)))
    }

    func testSendFailsWhenTheManagerIsGone() {
        let notifier = ServiceNotifier()
        receiver = nil  // closes and unlinks the socket
        XCTAssertFalse(notifier.send(.watchdog))
    }

    func testWatchdogTimeoutComesFromWatchdogUsec() {
        setenv("WATCHDOG_USEC", "4000000", 1)
        let notifier = ServiceNotifier()
        XCTAssertEqual(notifier.watchdogTimeout, .seconds(4))
        XCTAssertEqual(notifier.watchdogPingInterval, .seconds(2))
    }

    func testWatchdogForThisProcessOnly() {
        setenv("WATCHDOG_USEC", "4000000", 1)
        setenv("WATCHDOG_PID", "\(getpid())", 1)
        XCTAssertEqual(ServiceNotifier().watchdogTimeout, .seconds(4))
        setenv("WATCHDOG_PID", "\(getpid() + 1)", 1)
        XCTAssertNil(ServiceNotifier().watchdogTimeout)
    }

    func testNoWatchdogWithoutWatchdogUsecOrNotifySocket() {
        XCTAssertNil(ServiceNotifier().watchdogTimeout)
        setenv("WATCHDOG_USEC", "4000000", 1)
        unsetenv("NOTIFY_SOCKET")
        XCTAssertNil(ServiceNotifier().watchdogTimeout)
    }
}
