import VipdCore
import XCTest

/// Numeric addresses: parsing, the canonical text, the checks the config and the speaker make, the order VRRP uses.
final class IPAddressTests: XCTestCase {
    func testParsesNumericAddressesOfBothFamilies() throws {
        let v4 = try XCTUnwrap(IPAddress("192.168.2.232"))
        XCTAssertEqual(v4.family, .v4)
        XCTAssertEqual(v4.bytes, [192, 168, 2, 232])
        let v6 = try XCTUnwrap(IPAddress("2001:db8::10"))
        XCTAssertEqual(v6.family, .v6)
        XCTAssertEqual(v6.bytes, [0x20, 0x01, 0x0d, 0xb8] + Array(repeating: 0, count: 11) + [0x10])
    }

    func testRejectsNamesAndMalformedText() {
        for text in ["", "localhost", "lb1.example.com", "192.168.2", "192.168.2.256", "10.0.0.1/24", "[::1]", "2001:db8:::1", " 10.0.0.1"] {
            XCTAssertNil(IPAddress(text), text)
        }
    }

    func testTextIsCanonical() {
        XCTAssertEqual(IPAddress("2001:0DB8:0:0::0010")?.text, "2001:db8::10")
        XCTAssertEqual(IPAddress("10.0.0.1")?.text, "10.0.0.1")
        XCTAssertEqual(IPAddress("::")?.description, "::")
    }

    func testBytesMakeAnAddressOnlyAtFourOrSixteen() {
        XCTAssertEqual(IPAddress(bytes: [10, 0, 0, 1]), IPAddress("10.0.0.1"))
        XCTAssertEqual(IPAddress(bytes: [0xfe, 0x80] + Array(repeating: 0, count: 13) + [1]), IPAddress("fe80::1"))
        for count in [0, 3, 5, 15, 17] {
            XCTAssertNil(IPAddress(bytes: Array(repeating: UInt8(1), count: count)), "\(count) bytes")
        }
    }

    func testWildcardAndLinkLocal() {
        XCTAssertEqual(IPAddress("0.0.0.0")?.isWildcard, true)
        XCTAssertEqual(IPAddress("::")?.isWildcard, true)
        XCTAssertEqual(IPAddress("10.0.0.0")?.isWildcard, false)
        XCTAssertEqual(IPAddress("fe80::1")?.isIPv6LinkLocal, true)
        XCTAssertEqual(IPAddress("febf::1")?.isIPv6LinkLocal, true)
        XCTAssertEqual(IPAddress("fec0::1")?.isIPv6LinkLocal, false)
        XCTAssertEqual(IPAddress("fd00::1")?.isIPv6LinkLocal, false)
        XCTAssertEqual(IPAddress("169.254.0.1")?.isIPv6LinkLocal, false)
    }

    func testOrderIsNumericWithIPv4First() throws {
        let sorted = try ["10.0.0.10", "::1", "10.0.0.9", "9.255.255.255", "2001:db8::1"].map { try XCTUnwrap(IPAddress($0)) }.sorted()
        XCTAssertEqual(sorted.map(\.text), ["9.255.255.255", "10.0.0.9", "10.0.0.10", "::1", "2001:db8::1"])
    }
}
