import VipdDemo
import XCTest

/// The IPv4 addresses in `ip -o addr show dev eth0` output.
final class InterfaceListingTests: XCTestCase {
    private let output = """
        2: eth0    inet 10.251.1.11/24 scope global eth0\\       valid_lft forever preferred_lft forever
        2: eth0    inet 10.251.1.100/24 scope global secondary eth0\\       valid_lft forever preferred_lft forever
        2: eth0    inet6 fd00:251:1::11/64 scope global nodad \\       valid_lft forever preferred_lft forever
        2: eth0    inet6 fe80::1/64 scope link \\       valid_lft forever preferred_lft forever

        """

    func testIPv4AddressesInOrderWithoutIPv6() {
        XCTAssertEqual(InterfaceListing.ipv4Addresses(in: output), ["10.251.1.11/24", "10.251.1.100/24"])
        XCTAssertEqual(InterfaceListing.ipv4Addresses(in: ""), [])
        XCTAssertEqual(InterfaceListing.ipv4Addresses(in: "2: eth0    inet"), [])
    }

    func testContainsMatchesTheWholeAddress() {
        let addresses = InterfaceListing.ipv4Addresses(in: output)
        XCTAssertTrue(InterfaceListing.contains("10.251.1.100", in: addresses))
        XCTAssertTrue(InterfaceListing.contains("10.251.1.11", in: addresses))
        XCTAssertFalse(InterfaceListing.contains("10.251.1.1", in: addresses))
        XCTAssertFalse(InterfaceListing.contains("10.251.1.10", in: addresses))
    }
}
