import XCTest
import VipdBalance

final class BackupSelectionTests: XCTestCase {
    func testPrimariesWhenAnyIsUp() {
        let servers = [
            ServerAvailability(index: 0, isUp: false), ServerAvailability(index: 1, isUp: true),
            ServerAvailability(index: 2, isUp: true, isBackup: true),
        ]
        XCTAssertEqual(BackupSelection.eligible(servers), [1])
        XCTAssertFalse(BackupSelection.isUsingBackups(servers))
    }

    func testBackupsOnlyWhenNoPrimaryIsUp() {
        let servers = [
            ServerAvailability(index: 0, isUp: false), ServerAvailability(index: 1, isUp: false),
            ServerAvailability(index: 2, isUp: true, isBackup: true),
            ServerAvailability(index: 3, isUp: false, isBackup: true),
            ServerAvailability(index: 4, isUp: true, isBackup: true),
        ]
        XCTAssertEqual(BackupSelection.eligible(servers), [2, 4])
        XCTAssertTrue(BackupSelection.isUsingBackups(servers))
    }

    func testNothingUp() {
        XCTAssertEqual(BackupSelection.eligible([]), [])
        XCTAssertEqual(BackupSelection.eligible([ServerAvailability(index: 0, isUp: false, isBackup: true)]), [])
    }

    func testOnlyBackupsConfigured() {
        let servers = [ServerAvailability(index: 0, isUp: true, isBackup: true)]
        XCTAssertEqual(BackupSelection.eligible(servers), [0])
    }
}
