import VipdDemo
import XCTest

/// Reading a `vipd run` log.
final class DaemonLogTests: XCTestCase {
    private let log = """
        2026-01-01T10:00:00.100Z notice vipd ready: 1 listener(s), 1 pool(s), 1 VRRP instance(s) from /tmp/x/vipd.yaml
        2026-01-01T10:00:00.200Z notice server ssh/ha0 is UP: banner SSH-2.0-OpenSSH_9.2p1 (check took 3 ms); 1 active and 0 backup servers online
        2026-01-01T10:00:00.300Z notice server ssh/ha1 is UP: banner SSH-2.0-OpenSSH_9.2p1 (check took 4 ms); 2 active and 0 backup servers online
        2026-01-01T10:00:09.000Z warning server ssh/ha1 is DOWN: connection timed out (check took 2001 ms); 1 active and 0 backup servers left
        2026-01-01T10:00:15.000Z error monitor: ONE-SIDED VISIBILITY on eth0 VRID 51; evidence: counter; fix: nft

        """

    func testTheLatestTransitionDecidesWhetherAServerIsUp() {
        XCTAssertTrue(DaemonLog.serverIsUp("ha0", pool: "ssh", in: log))
        XCTAssertFalse(DaemonLog.serverIsUp("ha1", pool: "ssh", in: log))
        XCTAssertTrue(DaemonLog.serverIsUp("ha1", pool: "ssh", in: log + "2026-01-01T10:00:13.000Z notice server ssh/ha1 is UP: x\n"))
        XCTAssertFalse(DaemonLog.serverIsUp("ha2", pool: "ssh", in: log), "never checked: not up")
        XCTAssertFalse(DaemonLog.serverIsUp("ha0", pool: "web", in: log))
    }

    func testMessagesLoseTheirTimestampButKeepTheLevel() {
        XCTAssertEqual(
            DaemonLog.messages(containing: "ONE-SIDED", in: log),
            ["error monitor: ONE-SIDED VISIBILITY on eth0 VRID 51; evidence: counter; fix: nft"])
        XCTAssertEqual(DaemonLog.message(of: "no timestamp here"), "no timestamp here")
        XCTAssertEqual(DaemonLog.messages(containing: "absent", in: log), [])
    }

    func testTailKeepsTheLastNonEmptyLines() {
        XCTAssertEqual(DaemonLog.tail(log, lines: 1), ["2026-01-01T10:00:15.000Z error monitor: ONE-SIDED VISIBILITY on eth0 VRID 51; evidence: counter; fix: nft"])
        XCTAssertEqual(DaemonLog.tail(log, lines: 100).count, 5)
        XCTAssertEqual(DaemonLog.tail("", lines: 3), [])
    }
}
