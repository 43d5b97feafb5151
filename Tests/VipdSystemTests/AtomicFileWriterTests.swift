import Foundation
import VipdLab
import VipdSystem
import XCTest

/// Replacing files on a real file system: contents, mode, backup, restore, no temporary left behind.
final class AtomicFileWriterTests: XCTestCase {
    private var directory: LabDirectory!

    override func setUpWithError() throws { directory = try LabDirectory(prefix: "vipd-atomic") }
    override func tearDown() { directory.remove() }

    private func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    private func mode(_ path: String) throws -> Int {
        (try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber)?.intValue ?? -1
    }

    private func entries(_ path: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: path).sorted() }

    func testNewFileInANewDirectory() throws {
        let path = directory.file("sshd_config.d/01-vipd.conf").path
        let saved = try AtomicFileWriter.replace(path, with: "AddressFamily inet\n", backup: path + ".vipd-backup")
        XCTAssertFalse(saved)
        XCTAssertEqual(try read(path), "AddressFamily inet\n")
        XCTAssertEqual(try mode(path), 0o644)
        XCTAssertEqual(try entries(directory.file("sshd_config.d").path), ["01-vipd.conf"])
    }

    func testReplacingKeepsTheOldFileAsBackupAndRestorePutsItBack() throws {
        let path = directory.file("01-vipd.conf").path
        let backup = path + ".vipd-backup"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o600)
        XCTAssertTrue(try AtomicFileWriter.replace(path, with: "new\n", backup: backup))
        XCTAssertEqual(try read(path), "new\n")
        XCTAssertEqual(try mode(path), 0o644)
        XCTAssertEqual(try read(backup), "old\n")
        try AtomicFileWriter.restore(path, from: backup)
        XCTAssertEqual(try read(path), "old\n")
        XCTAssertEqual(try read(backup), "old\n")
        XCTAssertEqual(try entries(directory.url.path), ["01-vipd.conf", "01-vipd.conf.vipd-backup"])
    }

    func testRestoreWithoutBackupRemovesTheNewFile() throws {
        let path = directory.file("01-vipd.conf").path
        try AtomicFileWriter.replace(path, with: "new\n")
        try AtomicFileWriter.restore(path, from: nil)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        try AtomicFileWriter.restore(path, from: nil)  // nothing there: still fine
    }

    func testFailuresNameThePath() throws {
        let blocker = directory.file("file").path
        try "x".write(toFile: blocker, atomically: false, encoding: .utf8)
        XCTAssertThrowsError(try AtomicFileWriter.replace(blocker + "/sub/01-vipd.conf", with: "x")) {
            XCTAssertEqual("\($0)", "cannot create directory \(blocker)/sub: Not a directory")
        }
    }
}
