import VipdCore
@testable import VipdSystem
import XCTest

/// Which listeners stand in the way of vipd's binds: every address combination, exclusion of vipd's own pid.
final class ListenerConflictAnalysisTests: XCTestCase {
    private let sshd = SocketOwner(pid: 812, program: "sshd")

    private func socket(_ endpoint: String, owners: ListeningSocket.Owners? = nil, inode: UInt64 = 1) -> ListeningSocket {
        ListeningSocket(local: SocketEndpoint(parsing: endpoint)!, inode: inode, owners: owners ?? .known([sshd]))
    }

    private func certainty(wanted: String, held: String) -> ListenerConflict.Certainty? {
        let conflicts = ListenerConflictAnalysis.conflicts(
            wanted: [SocketEndpoint(parsing: wanted)!], listening: [socket(held)], excludedPIDs: [])
        XCTAssertLessThanOrEqual(conflicts.count, 1)
        return conflicts.first?.certainty
    }

    func testIPv4VIP() {
        XCTAssertEqual(certainty(wanted: "10.251.1.100:22", held: "0.0.0.0:22"), .certain)
        XCTAssertEqual(certainty(wanted: "10.251.1.100:22", held: "10.251.1.100:22"), .certain)
        XCTAssertEqual(certainty(wanted: "10.251.1.100:22", held: "[::ffff:10.251.1.100]:22"), .certain)
        XCTAssertEqual(certainty(wanted: "10.251.1.100:22", held: "[::]:22"), .unlessIPv6Only)
        XCTAssertNil(certainty(wanted: "10.251.1.100:22", held: "10.251.1.11:22"))
        XCTAssertNil(certainty(wanted: "10.251.1.100:22", held: "[::ffff:10.251.1.11]:22"))
        XCTAssertNil(certainty(wanted: "10.251.1.100:22", held: "[fd00::1]:22"))
        XCTAssertNil(certainty(wanted: "10.251.1.100:22", held: "0.0.0.0:2222"))
        XCTAssertNil(certainty(wanted: "10.251.1.100:22", held: "[::]:2222"))
    }

    func testIPv6VIP() {
        XCTAssertEqual(certainty(wanted: "[fd00::100]:22", held: "[::]:22"), .certain)
        XCTAssertEqual(certainty(wanted: "[fd00::100]:22", held: "[fd00::100]:22"), .certain)
        XCTAssertNil(certainty(wanted: "[fd00::100]:22", held: "[fd00::11]:22"))
        XCTAssertNil(certainty(wanted: "[fd00::100]:22", held: "0.0.0.0:22"))
        XCTAssertNil(certainty(wanted: "[fd00::100]:22", held: "10.251.1.100:22"))
    }

    func testWildcardBinds() {
        XCTAssertEqual(certainty(wanted: "0.0.0.0:8404", held: "10.251.1.11:8404"), .certain)
        XCTAssertEqual(certainty(wanted: "0.0.0.0:8404", held: "[::ffff:10.251.1.11]:8404"), .certain)
        XCTAssertEqual(certainty(wanted: "0.0.0.0:8404", held: "[::]:8404"), .unlessIPv6Only)
        XCTAssertNil(certainty(wanted: "0.0.0.0:8404", held: "[fd00::1]:8404"))
        XCTAssertEqual(certainty(wanted: "[::]:8404", held: "[fd00::1]:8404"), .certain)
        XCTAssertEqual(certainty(wanted: "[::]:8404", held: "10.251.1.11:8404"), .unlessIPv6Only)
        XCTAssertEqual(certainty(wanted: "[::]:8404", held: "0.0.0.0:8404"), .unlessIPv6Only)
    }

    func testOwnSocketsAreExcludedAndUnknownOwnersKept() {
        let listening = [
            socket("10.251.1.100:22", owners: .known([SocketOwner(pid: 42, program: "vipd")]), inode: 1),
            socket("0.0.0.0:22", owners: .known([SocketOwner(pid: 1, program: "systemd"), SocketOwner(pid: 42, program: "vipd")]), inode: 2),
            socket("[::]:22", owners: .unknown("owner unknown (needs root)"), inode: 3),
            socket("0.0.0.0:22", inode: 4),
        ]
        let conflicts = ListenerConflictAnalysis.conflicts(
            wanted: [SocketEndpoint(parsing: "10.251.1.100:22")!], listening: listening, excludedPIDs: [42])
        XCTAssertEqual(conflicts.map(\.holder.inode), [3, 4])
    }

    func testConflictsFollowTheOrderOfWantedThenListening() {
        let listening = [socket("0.0.0.0:22", inode: 1), socket("0.0.0.0:80", inode: 2), socket("10.0.0.5:22", inode: 3)]
        let wanted = ["10.0.0.5:22", "10.0.0.5:80", "10.0.0.6:443"].map { SocketEndpoint(parsing: $0)! }
        let conflicts = ListenerConflictAnalysis.conflicts(wanted: wanted, listening: listening, excludedPIDs: [])
        XCTAssertEqual(conflicts.map { "\($0.wanted)<-\($0.holder.inode)" }, ["10.0.0.5:22<-1", "10.0.0.5:22<-3", "10.0.0.5:80<-2"])
        XCTAssertEqual(ListenerConflictAnalysis.conflicts(wanted: [], listening: listening, excludedPIDs: []), [])
    }

    func testMappedAddressesAreUnmappedOnlyWhenTheyAreMapped() {
        XCTAssertEqual(ListenerConflictAnalysis.unmapped(IPAddress("::ffff:10.0.0.1")!), IPAddress("10.0.0.1"))
        XCTAssertEqual(ListenerConflictAnalysis.unmapped(IPAddress("::fffe:a00:1")!), IPAddress("::fffe:a00:1"))
        XCTAssertEqual(ListenerConflictAnalysis.unmapped(IPAddress("1::ffff:a00:1")!), IPAddress("1::ffff:a00:1"))
        XCTAssertEqual(ListenerConflictAnalysis.unmapped(IPAddress("10.0.0.1")!), IPAddress("10.0.0.1"))
    }
}
