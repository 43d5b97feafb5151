import Foundation
@testable import VipdSystem
import XCTest

/// Owner lookup on a /proc-shaped tree, for the cases the live host cannot produce on demand:
/// unreadable descriptors (non-root), a socket nobody visible holds, a scan out of time.
final class SocketOwnerScannerTests: XCTestCase {
    private var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-proc-\(UUID().uuidString)")
        try process(812, comm: "sshd", sockets: [555, 556])
        try process(900, comm: "python3", sockets: [555])
        try process(901, comm: "bash", sockets: [])
        try FileManager.default.createDirectory(at: root.appendingPathComponent("sys"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: root)
    }

    private func process(_ pid: Int, comm: String, sockets: [UInt64]) throws {
        let fd = root.appendingPathComponent("\(pid)/fd")
        try FileManager.default.createDirectory(at: fd, withIntermediateDirectories: true)
        try "\(comm)\n".write(to: root.appendingPathComponent("\(pid)/comm"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: fd.appendingPathComponent("0").path, withDestinationPath: "/dev/null")
        for (index, inode) in sockets.enumerated() {
            try FileManager.default.createSymbolicLink(
                atPath: fd.appendingPathComponent("\(index + 3)").path, withDestinationPath: "socket:[\(inode)]")
        }
    }

    func testOwnersAreFoundWithTheirPrograms() {
        let owners = SocketOwnerScanner.owners(of: [555, 556], procRoot: root.path)
        guard case .known(let of555) = owners[555], case .known(let of556) = owners[556] else {
            return XCTFail("\(owners)")
        }
        XCTAssertEqual(Set(of555), [SocketOwner(pid: 812, program: "sshd"), SocketOwner(pid: 900, program: "python3")])
        XCTAssertEqual(of556, [SocketOwner(pid: 812, program: "sshd")])
    }

    func testASocketNoVisibleProcessHoldsSaysSo() {
        XCTAssertEqual(
            SocketOwnerScanner.owners(of: [777], procRoot: root.path)[777],
            .unknown("owner unknown: no process in this PID namespace holds it (one in a container?)"))
    }

    func testUnreadableDescriptorsNeedRoot() throws {
        // A process whose fd directory cannot be listed, as other users' are for a non-root caller.
        let fd = root.appendingPathComponent("1000/fd")
        try FileManager.default.createDirectory(at: fd.deletingLastPathComponent(), withIntermediateDirectories: true)
        try "not a directory".write(to: fd, atomically: true, encoding: .utf8)
        let owners = SocketOwnerScanner.owners(of: [555, 777], procRoot: root.path)
        XCTAssertEqual(owners[777], .unknown("owner unknown (needs root)"))
        guard case .known = owners[555] else { return XCTFail("\(owners)") }
    }

    func testAProcessThatExitedDuringTheScanIsSkipped() throws {
        try FileManager.default.createDirectory(at: root.appendingPathComponent("1001"), withIntermediateDirectories: true)
        XCTAssertEqual(
            SocketOwnerScanner.owners(of: [777], procRoot: root.path)[777],
            .unknown("owner unknown: no process in this PID namespace holds it (one in a container?)"))
    }

    func testTheScanStopsAtItsTimeLimit() {
        XCTAssertEqual(
            SocketOwnerScanner.owners(of: [555], procRoot: root.path, timeLimit: .zero)[555],
            .unknown("owner unknown: the /proc scan stopped after 0.0 seconds"))
    }

    func testNothingAskedNothingScanned() {
        XCTAssertEqual(SocketOwnerScanner.owners(of: [], procRoot: "/nonexistent"), [:])
    }
}
