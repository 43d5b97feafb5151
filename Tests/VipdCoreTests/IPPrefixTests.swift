import VipdCore
import XCTest

/// Addresses with a prefix length, as configured on an interface.
final class IPPrefixTests: XCTestCase {
    func testParsesAddressAndLength() {
        XCTAssertEqual(IPPrefix(parsing: "192.168.2.232/24")?.description, "192.168.2.232/24")
        XCTAssertEqual(IPPrefix(parsing: "2001:db8::10/64")?.length, 64)
        XCTAssertEqual(IPPrefix(parsing: "10.0.0.0/0")?.length, 0)
        XCTAssertEqual(IPPrefix(parsing: "::/128")?.length, 128)
    }

    func testABareAddressIsAHostPrefix() {
        XCTAssertEqual(IPPrefix(parsing: "10.0.0.1"), IPPrefix(parsing: "10.0.0.1/32"))
        XCTAssertEqual(IPPrefix(parsing: "fe80::1"), IPPrefix(parsing: "fe80::1/128"))
        XCTAssertEqual(IPPrefix.host(IPAddress("10.0.0.1")!).description, "10.0.0.1/32")
    }

    func testRejectsLengthsOutsideTheFamilyAndMalformedText() {
        for text in ["10.0.0.1/33", "2001:db8::1/129", "10.0.0.1/-1", "10.0.0.1/", "10.0.0.1/x", "/24", "host/24", "10.0.0.1/24/8"] {
            XCTAssertNil(IPPrefix(parsing: text), text)
        }
        XCTAssertNil(IPPrefix(address: IPAddress("10.0.0.1")!, length: 33))
    }

    func testContainsTheAddressesOfItsNetworkOnly() {
        let v4 = IPPrefix(parsing: "192.168.2.0/23")!
        XCTAssertTrue(v4.contains(IPAddress("192.168.3.255")!))
        XCTAssertTrue(v4.contains(IPAddress("192.168.2.0")!))
        XCTAssertFalse(v4.contains(IPAddress("192.168.4.0")!))
        XCTAssertFalse(v4.contains(IPAddress("::ffff:192.168.2.1")!))
        let v6 = IPPrefix(parsing: "2001:db8::/33")!
        XCTAssertTrue(v6.contains(IPAddress("2001:db8:7fff::1")!))
        XCTAssertFalse(v6.contains(IPAddress("2001:db8:8000::1")!))
        XCTAssertTrue(IPPrefix(parsing: "0.0.0.0/0")!.contains(IPAddress("203.0.113.9")!))
        XCTAssertFalse(IPPrefix(parsing: "10.0.0.1")!.contains(IPAddress("10.0.0.2")!))
    }
}
