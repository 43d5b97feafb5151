import VipdConfig
import VipdCore
import XCTest

/// `cluster.nodes.NAME.address6`: the IPv6 address where a node's sshd also listens.
final class NodeAddress6Tests: XCTestCase {
    private func cluster(_ nodes: String) -> String { minimalConfig("cluster:\n  nodes:\n" + nodes) }

    func testAddress6IsReadNextToTheIPv4Address() throws {
        let config = try XCTUnwrap(
            parseValid(
                cluster(
                    """
                        ha0: { address: 192.168.2.230, address6: "2001:db8::230", priority: 100 }
                        ha1: { address: 192.168.2.231 }
                    """)))
        XCTAssertEqual(
            config.nodes,
            [
                ClusterNode(
                    name: "ha0", address: IPAddress("192.168.2.230")!, address6: IPAddress("2001:db8::230")!, priority: 100),
                ClusterNode(name: "ha1", address: IPAddress("192.168.2.231")!),
            ])
        XCTAssertEqual(config.nodes[0].addresses.map(\.text), ["192.168.2.230", "2001:db8::230"])
        XCTAssertEqual(config.nodes[1].addresses.map(\.text), ["192.168.2.231"])
    }

    func testUniqueLocalAddressIsAccepted() throws {
        let config = try XCTUnwrap(parseValid(cluster("    ha0: { address: 10.251.1.11, address6: \"fd00:251:1::11\" }")))
        XCTAssertEqual(config.nodes[0].address6, IPAddress("fd00:251:1::11"))
    }

    func testIPv4InAddress6IsRejected() {
        assertSingleError(
            cluster("    ha0: { address: 10.0.0.1, address6: 10.0.0.2 }"), line: 9, column: 41,
            keyPath: "cluster.nodes.ha0.address6",
            message:
                "10.0.0.2 is not an IPv6 address; address6 holds the node's IPv6 address, like 2001:db8::10 (the IPv4 one goes in address)"
        )
    }

    func testLinkLocalAddress6IsRejected() {
        assertSingleError(
            cluster("    ha0: { address: 10.0.0.1, address6: \"fe80::1\" }"), line: 9, column: 41,
            keyPath: "cluster.nodes.ha0.address6",
            message:
                "fe80::1 is link-local, and sshd cannot listen on it without an interface scope; use a global or unique-local address"
        )
    }

    func testAddress6NeedsAnIPv4Address() {
        assertSingleError(
            cluster("    ha0: { address: \"2001:db8::1\", address6: \"2001:db8::2\" }"), line: 9, column: 46,
            keyPath: "cluster.nodes.ha0.address6",
            message: "address is already IPv6 (2001:db8::1); address6 adds an IPv6 address to a node whose address is IPv4")
    }

    func testMalformedAddress6IsRejectedLikeAddress() {
        assertSingleError(
            cluster("    ha0: { address: 10.0.0.1, address6: \"2001:db8::1/64\" }"), line: 9, column: 41,
            keyPath: "cluster.nodes.ha0.address6",
            message:
                #"invalid address "2001:db8::1/64": must be an IP address without a port, like 192.168.2.230 or 2001:db8::1"#)
    }

    func testAddress6MustBeUniqueAcrossBothKeys() {
        assertSingleError(
            cluster(
                """
                    ha0: { address: 10.0.0.1, address6: "2001:db8::1" }
                    ha1: { address: 10.0.0.2, address6: "2001:db8::1" }
                """), line: 10, column: 41, keyPath: "cluster.nodes.ha1.address6",
            message: #"address 2001:db8::1 is already used by node "ha0""#)
        assertSingleError(
            cluster(
                """
                    ha0: { address: "2001:db8::1" }
                    ha1: { address: 10.0.0.2, address6: "2001:db8:0::1" }
                """), line: 10, column: 41, keyPath: "cluster.nodes.ha1.address6",
            message: #"address 2001:db8::1 is already used by node "ha0""#)
    }

    func testEveryErrorOfANodeIsReportedTogether() {
        let errors = configErrors(cluster("    ha0: { address: 10.0.0.300, address6: 10.0.0.2, priority: 0 }"))
        XCTAssertEqual(
            errors.map(\.keyPath).sorted(),
            ["cluster.nodes.ha0.address", "cluster.nodes.ha0.address6", "cluster.nodes.ha0.priority"])
    }

    func testUnknownKeyNextToAddress6StillNamesTheAllowedKeys() {
        let errors = configErrors(cluster("    ha0: { address: 10.0.0.1, adress6: \"2001:db8::1\" }"))
        XCTAssertEqual(errors.count, 1)
        XCTAssertEqual(errors.first?.keyPath, "cluster.nodes.ha0.adress6")
        XCTAssertTrue(errors.first?.message.contains("address6") ?? false, "\(errors)")
    }
}
