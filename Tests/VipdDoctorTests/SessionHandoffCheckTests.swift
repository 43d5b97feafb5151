import VipdConfig
import VipdCore
import XCTest

@testable import VipdDoctor

/// What `vipd doctor` says about keeping sessions across moves, for each host and configuration.
final class SessionHandoffCheckTests: XCTestCase {
    private let vip = IPAddress("10.0.0.50")!

    private func config(listenOn address: String = "10.0.0.50", limit: Duration = .seconds(86_400)) -> VipdConfiguration {
        VipdConfiguration(
            nodes: [ClusterNode(name: "ha0", address: IPAddress("10.0.0.11")!)],
            global: GlobalSettings(sessionDrainLimit: limit),
            vrrp: [VRRPInstanceConfig(name: "VI_1", interface: "eth0", virtualRouterID: 51, virtualAddresses: [IPPrefix(parsing: "10.0.0.50/24")!])],
            listeners: [ListenerConfig(name: "ssh", bind: SocketEndpoint(address: IPAddress(address)!, port: 22), pool: "ssh")],
            pools: [])
    }

    private let goodHost = SessionHandoffCheck.Host(hasNft: true, fwmarkAccept: 0, fwmarkAcceptWritable: true, tables: [])

    func testNothingToSayWithoutAListenerOnAVirtualAddress() {
        XCTAssertNil(SessionHandoffCheck.result(config: config(listenOn: "10.0.0.99"), host: goodHost))
    }

    func testAWildcardListenerCounts() {
        XCTAssertEqual(SessionHandoffCheck.result(config: config(listenOn: "0.0.0.0"), host: goodHost)?.status, .pass)
    }

    func testPassSaysWhatVipdChangesAndRestores() {
        let result = SessionHandoffCheck.result(config: config(), host: goodHost)
        XCTAssertEqual(result?.status, .pass)
        XCTAssertEqual(
            result?.detail,
            "net.ipv4.tcp_fwmark_accept is 0: vipd sets it to 1 while it runs and restores 0 at stop; no table vipd_sessions now (vipd is not running here)")
    }

    func testARunningDaemonsTablesAreNamed() {
        var host = goodHost
        host.fwmarkAccept = 1
        host.tables = ["ip", "arp"]
        XCTAssertEqual(
            SessionHandoffCheck.result(config: config(), host: host)?.detail,
            "net.ipv4.tcp_fwmark_accept is 1; tables ip vipd_sessions, arp vipd_sessions present (vipd's own)")
    }

    func testMissingNftFails() {
        var host = goodHost
        host.hasNft = false
        let result = SessionHandoffCheck.result(config: config(), host: host)
        XCTAssertEqual(result?.status, .fail)
        XCTAssertEqual(result?.fix, "apt-get install nftables")
    }

    func testAReadOnlySysctlFailsWithTheUnitsFix() {
        var host = goodHost
        host.fwmarkAcceptWritable = false
        let result = SessionHandoffCheck.result(config: config(), host: host)
        XCTAssertEqual(result?.status, .fail)
        XCTAssertTrue(result?.fix.contains("ReadWritePaths=/proc/sys/net/ipv4/tcp_fwmark_accept") ?? false)
    }

    func testAZeroLimitWarnsThatMovesResetSessions() {
        let result = SessionHandoffCheck.result(config: config(limit: .zero), host: goodHost)
        XCTAssertEqual(result?.status, .warn)
        XCTAssertTrue(result?.detail.contains("resets the sessions") ?? false)
    }
}
