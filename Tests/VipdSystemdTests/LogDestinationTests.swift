import Foundation
import VipdSystemd
import XCTest

final class LogDestinationTests: XCTestCase {
    private let stream = LogDestination.FileIdentity(device: 8, inode: 123_456)

    func testParsesJournalStream() {
        XCTAssertEqual(LogDestination.FileIdentity(journalStream: "8:123456"), stream)
        for bad in ["", "8", "8:", ":5", "8:12:3", "x:1", "-1:5", " 8:1"] {
            XCTAssertNil(LogDestination.FileIdentity(journalStream: bad), bad)
        }
    }

    func testJournalOnlyWhenStandardErrorIsTheStream() {
        XCTAssertEqual(LogDestination.choose(journalStream: "8:123456", standardError: stream), .journal)
        XCTAssertEqual(LogDestination.choose(journalStream: "8:123457", standardError: stream), .standardError)
        XCTAssertEqual(LogDestination.choose(journalStream: "9:123456", standardError: stream), .standardError)
        XCTAssertEqual(LogDestination.choose(journalStream: nil, standardError: stream), .standardError)
        XCTAssertEqual(LogDestination.choose(journalStream: "garbage", standardError: stream), .standardError)
        XCTAssertEqual(LogDestination.choose(journalStream: "8:123456", standardError: nil), .standardError)
    }

    /// The real fstat(2) of this process's standard error against `$JOURNAL_STREAM`.
    func testCurrentComparesWithTheRealStandardError() {
        let saved = ProcessInfo.processInfo.environment["JOURNAL_STREAM"]
        defer {
            if let saved { setenv("JOURNAL_STREAM", saved, 1) } else { unsetenv("JOURNAL_STREAM") }
        }
        var status = stat()
        XCTAssertEqual(fstat(STDERR_FILENO, &status), 0)
        setenv("JOURNAL_STREAM", "\(status.st_dev):\(status.st_ino)", 1)
        XCTAssertEqual(LogDestination.current(), .journal)
        setenv("JOURNAL_STREAM", "\(status.st_dev):\(status.st_ino + 1)", 1)
        XCTAssertEqual(LogDestination.current(), .standardError)
        unsetenv("JOURNAL_STREAM")
        XCTAssertEqual(LogDestination.current(), .standardError)
    }
}
