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

    func testAReusedArrayIsEmptiedFirst() {
        var indices = [7, 8, 9]
        BackupSelection.eligible([ServerAvailability(index: 0, isUp: true)], into: &indices)
        XCTAssertEqual(indices, [0])
        BackupSelection.eligible([ServerAvailability(index: 0, isUp: false)], into: &indices)
        XCTAssertEqual(indices, [])
        BackupSelection.eligible(
            [ServerAvailability(index: 0, isUp: false), ServerAvailability(index: 1, isUp: true, isBackup: true)], into: &indices)
        XCTAssertEqual(indices, [1])
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

/// The operator's admin states in the choice of servers.
final class AdminStateSelectionTests: XCTestCase {
    func testOnlyReadyServersAreEligible() {
        let servers = [
            ServerAvailability(index: 0, isUp: true, adminState: .drain),
            ServerAvailability(index: 1, isUp: true, adminState: .maint),
            ServerAvailability(index: 2, isUp: true),
            ServerAvailability(index: 3, isUp: false),
        ]
        XCTAssertEqual(BackupSelection.eligible(servers), [2])
    }

    func testBackupsTakeOverWhenEveryPrimaryIsDrainedOrInMaintenance() {
        let servers = [
            ServerAvailability(index: 0, isUp: true, adminState: .drain),
            ServerAvailability(index: 1, isUp: true, adminState: .maint),
            ServerAvailability(index: 2, isUp: true, isBackup: true),
            ServerAvailability(index: 3, isUp: true, isBackup: true, adminState: .drain),
        ]
        XCTAssertEqual(BackupSelection.eligible(servers), [2])
        XCTAssertTrue(BackupSelection.isUsingBackups(servers))
    }

    func testNothingEligibleWhenEveryServerIsDrained() {
        let servers = (0..<3).map { ServerAvailability(index: $0, isUp: true, isBackup: $0 == 2, adminState: .drain) }
        XCTAssertEqual(BackupSelection.eligible(servers), [])
        XCTAssertFalse(BackupSelection.isUsingBackups(servers))
    }

    func testStateProperties() {
        XCTAssertEqual(ServerAdminState.allCases.filter(\.takesNewConnections), [.ready])
        XCTAssertEqual(ServerAdminState.allCases.filter(\.isChecked), [.ready, .drain])
    }
}
