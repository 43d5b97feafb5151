import Logging
import VipdSystemd
import XCTest

final class JournalRecordTests: XCTestCase {
    func testPriorities() {
        let expected: [(Logger.Level, Int)] = [(.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2)]
        for (level, priority) in expected {
            XCTAssertEqual(JournalRecord.priority(of: level), priority, "\(level)")
        }
    }

    func testFieldNames() {
        XCTAssertEqual(JournalRecord.fieldName(forMetadataKey: "pool"), "VIPD_POOL")
        XCTAssertEqual(JournalRecord.fieldName(forMetadataKey: "vrrp_state"), "VIPD_VRRP_STATE")
        XCTAssertEqual(JournalRecord.fieldName(forMetadataKey: "vipd_pool"), "VIPD_POOL")
        XCTAssertEqual(JournalRecord.fieldName(forMetadataKey: "track-script.name"), "VIPD_TRACK_SCRIPT_NAME")
        XCTAssertEqual(JournalRecord.fieldName(forMetadataKey: "_server"), "VIPD_SERVER", "a leading _ would make a trusted field")
        XCTAssertEqual(JournalRecord.fieldName(forMetadataKey: "ä1"), "VIPD_1")
        XCTAssertNil(JournalRecord.fieldName(forMetadataKey: ""))
        XCTAssertNil(JournalRecord.fieldName(forMetadataKey: "__"))
        let long = JournalRecord.fieldName(forMetadataKey: String(repeating: "k", count: 100))
        XCTAssertEqual(long?.count, 64)
        XCTAssertEqual(long?.hasPrefix("VIPD_KKK"), true)
    }

    func testFieldsOfARecord() {
        let fields = JournalRecord.fields(
            message: "server ssh/ha1 is DOWN: connection refused", level: .warning,
            metadata: ["server": "ha1", "pool": "ssh", "vrrp_instance": "VI_1"], identifier: "vipd",
            file: "VipdHealth/PoolHealthMonitor.swift", line: 220, function: "handle(_:_:on:)")
        XCTAssertEqual(
            fields,
            [
                "MESSAGE=server ssh/ha1 is DOWN: connection refused",
                "PRIORITY=4",
                "SYSLOG_IDENTIFIER=vipd",
                "CODE_FILE=VipdHealth/PoolHealthMonitor.swift",
                "CODE_LINE=220",
                "CODE_FUNC=handle(_:_:on:)",
                "VIPD_POOL=ssh",
                "VIPD_SERVER=ha1",
                "VIPD_VRRP_INSTANCE=VI_1",
            ])
    }

    func testKeysMappingToOneFieldKeepOne() {
        let fields = JournalRecord.fields(
            message: "m", level: .info, metadata: ["pool": "a", "vipd_pool": "a"], identifier: "vipd",
            file: "f", line: 1, function: "g")
        XCTAssertEqual(fields.filter { $0.hasPrefix("VIPD_POOL=") }, ["VIPD_POOL=a"])
    }

    func testMultiLineMessagesStayWhole() {
        let fields = JournalRecord.fields(
            message: "reload rejected:\nvipd.yaml:3:5: bad", level: .error, metadata: [:], identifier: "vipd",
            file: "f", line: 1, function: "g")
        XCTAssertEqual(fields.first, "MESSAGE=reload rejected:\nvipd.yaml:3:5: bad")
    }
}
