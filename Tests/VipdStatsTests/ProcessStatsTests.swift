import Foundation
import VipdStats
import XCTest

final class ProcessStatsTests: XCTestCase {
    /// A /proc/PID/stat line whose command name holds a space and a parenthesis.
    private let stat = "4242 (vipd (x) y) S 1 4242 4242 0 -1 4194560 9000 0 0 0 250 50 0 0 20 0 9 0 123400 1073741824 5120 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0"

    func testParsesTheFieldsAfterTheCommandName() throws {
        let process = try XCTUnwrap(
            ProcessStats(stat: stat, bootTime: 1_800_000_000, clockTicksPerSecond: 100, pageSize: 4096, openFDs: 9, maxFDs: 1024))
        XCTAssertEqual(process.cpuSeconds, 3.0, "utime 250 + stime 50 ticks at 100 per second")
        XCTAssertEqual(process.startTimeSeconds, 1_800_001_234, "boot time + 123400 ticks")
        XCTAssertEqual(process.virtualMemoryBytes, 1_073_741_824)
        XCTAssertEqual(process.residentMemoryBytes, 5120 * 4096)
        XCTAssertEqual(process.openFDs, 9)
        XCTAssertNil(ProcessStats(stat: "4242 (vipd) S 1 2", bootTime: 0, clockTicksPerSecond: 100, pageSize: 4096, openFDs: 0, maxFDs: 0))
    }

    func testBootTimeFromProcStat() {
        XCTAssertEqual(ProcessStats.bootTime(procStat: "cpu  1 2 3\nintr 5\nbtime 1799990000\nprocesses 7\n"), 1_799_990_000)
        XCTAssertNil(ProcessStats.bootTime(procStat: "cpu 1 2 3\n"))
    }

    func testThisProcess() throws {
        let process = try XCTUnwrap(ProcessStats.current(), "/proc is readable on Linux")
        XCTAssertGreaterThan(process.residentMemoryBytes, 1_000_000)
        XCTAssertGreaterThan(process.openFDs, 2)
        XCTAssertGreaterThanOrEqual(process.maxFDs, process.openFDs)
        let now = Date().timeIntervalSince1970
        XCTAssertLessThan(process.startTimeSeconds, now + 5)
        XCTAssertGreaterThan(process.startTimeSeconds, now - 86_400, "this test process started today")
    }
}
