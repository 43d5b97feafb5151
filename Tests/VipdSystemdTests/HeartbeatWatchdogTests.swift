import Dispatch
import Foundation
import Logging
import Synchronization
import VipdLab
import VipdSystemd
import XCTest

/// The watchdog with real threads and the real notify socket: pings flow while both loops run,
/// stop while one is stuck (and the log names it), and resume when it runs again.
final class HeartbeatWatchdogTests: XCTestCase {
    /// Log records kept for the test, as `LEVEL message`.
    private final class Records: Sendable {
        let lines = Mutex<[String]>([])
        func contains(_ predicate: (String) -> Bool) -> Bool { lines.withLock { $0.contains(where: predicate) } }
        var text: String { lines.withLock { $0.joined(separator: "\n") } }
    }

    private struct Recorder: LogHandler {
        let records: Records
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) { records.lines.withLock { $0.append("\(event.level) \(event.message)") } }
    }

    func testAStuckLoopStopsThePingsUntilItRunsAgain() throws {
        let directory = try LabDirectory(prefix: "vipd-watchdog")
        defer { directory.remove() }
        let receiver = try NotifySocketReceiver(path: directory.file("notify").path)
        setenv("NOTIFY_SOCKET", receiver.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }
        let records = Records()
        let recorder = Recorder(records: records)
        let logger = Logger(label: "test") { _ in recorder }

        let steady = DispatchQueue(label: "steady")
        let sticky = DispatchQueue(label: "sticky")
        let watchdog = HeartbeatWatchdog(
            notifier: ServiceNotifier(), pingInterval: .seconds(1),
            loops: [
                .init(name: "steady loop") { steady.async(execute: $0) },
                .init(name: "sticky loop") { sticky.async(execute: $0) },
            ],
            logger: logger)
        defer { watchdog.stop() }

        for ping in 1...5 {
            XCTAssertEqual(receiver.receive(timeout: .seconds(10)), "WATCHDOG=1", "ping \(ping) while both loops run")
        }

        let release = DispatchSemaphore(value: 0)
        sticky.async { release.wait() }
        // The pings stop: a quiet 3 s come (pings would come every second) within 20 s.
        let deadline = ContinuousClock.now + .seconds(20)
        while receiver.receive(timeout: .seconds(3)) != nil {
            XCTAssertLessThan(ContinuousClock.now, deadline, "pings go on although a loop is stuck")
            if ContinuousClock.now >= deadline { break }
        }
        XCTAssertTrue(records.contains { $0.hasPrefix("critical watchdog: sticky loop silent for") }, records.text)
        XCTAssertFalse(records.contains { $0.contains("steady loop silent") }, records.text)

        release.signal()
        XCTAssertEqual(receiver.receive(timeout: .seconds(10)), "WATCHDOG=1", "pings resume once the loop runs again")
        XCTAssertTrue(records.contains { $0 == "notice watchdog: every loop answers again; pinging systemd again" }, records.text)
    }
}
