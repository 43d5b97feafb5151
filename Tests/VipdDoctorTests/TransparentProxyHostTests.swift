import Foundation
import VipdConfig
import VipdCore
import VipdLab
import XCTest

@testable import VipdDoctor

/// The transparent proxying check on a real kernel: a network namespace set up as ha1 (10.251.1.12/24
/// on v0, whose veth peer stays in the namespace) holding another program's route in table 9251
/// (vipd's route back to ha0), a rule of vipd's own and `net.ipv4.conf.all.src_valid_mark=1`.
final class TransparentProxyHostTests: XCTestCase {
    private let ha1 = ClusterNode(name: "ha1", address: IPAddress("10.251.1.12")!)

    private var config: VipdConfiguration {
        VipdConfiguration(
            nodes: [ClusterNode(name: "ha0", address: IPAddress("10.251.1.11")!), ha1], global: GlobalSettings(),
            listeners: [ListenerConfig(name: "ssh", bind: SocketEndpoint(parsing: "10.251.1.100:22")!, pool: "ssh")],
            pools: [PoolConfig(name: "ssh", servers: [ServerConfig(name: "ha0", endpoint: SocketEndpoint(parsing: "10.251.1.11:22")!)], transparent: true)])
    }

    func testAnotherProgramsRouteInTable9251IsFoundAndItsRemovalWorks() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        let namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("transparent"))
        defer { namespace.delete() }
        try namespace.ip(["link", "add", "v0", "type", "veth", "peer", "name", "v1"])
        for link in ["v0", "v1"] { try namespace.ip(["link", "set", link, "up"]) }
        try namespace.ip(["addr", "add", "10.251.1.12/24", "dev", "v0"])
        try namespace.ip(["route", "add", "default", "via", "10.251.1.1", "table", "9251", "proto", "static"])
        try namespace.ip(["rule", "add", "fwmark", "0x1000000/0x1000000", "lookup", "9250", "priority", "9250", "protocol", "239"])
        try namespace.run(URL(fileURLWithPath: "/usr/sbin/sysctl"), ["-q", "-w", "net.ipv4.conf.all.src_valid_mark=1"])
        let config = config
        let ha1 = ha1
        let check = {
            try namespace.perform {
                let network = try HostNetwork.read()
                return TransparentProxyCheck.results(config: config, node: ha1, network: network, host: .read(interfaces: network.interfaces))
            }
        }

        let found = try check()
        XCTAssertEqual(found.first { $0.title.hasPrefix("node ha0 shares a link") }?.detail, "10.251.1.11 is inside v0's 10.251.1.12/24 (table 9251 leads to it)")
        let tables = try XCTUnwrap(found.first { $0.title.hasPrefix("route tables") })
        XCTAssertEqual(tables.status, .warn)
        XCTAssertEqual(tables.detail.split(separator: "\n")[1], "  table 9251: default via 10.251.1.1 dev v0 proto static", tables.detail)
        XCTAssertFalse(tables.detail.contains("lookup 9250"), "vipd's own rule is not in the way: \(tables.detail)")
        let reversePath = found.first { $0.title == "v0 lets transparent replies from the other nodes in" }
        XCTAssertEqual(reversePath?.status, .warn)
        XCTAssertTrue(reversePath?.detail.hasPrefix("src_valid_mark 1 (all 1, v0 0), ") ?? false, reversePath?.detail ?? "")

        let removal = try XCTUnwrap(tables.fix.components(separatedBy: "by hand: ").last)
        XCTAssertEqual(removal, "ip -4 route del default table 9251")
        try namespace.ip(removal.split(separator: " ").dropFirst().map(String.init))
        let after = try XCTUnwrap(try check().first { $0.title.hasPrefix("route tables") })
        XCTAssertEqual(after.status, .pass)
        XCTAssertEqual(after.detail, "vipd's own now: 1 rule(s)")
    }
}
