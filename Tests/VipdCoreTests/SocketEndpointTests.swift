import VipdCore
import XCTest

/// Addresses with a port: `IPv4:PORT` and `[IPv6]:PORT`.
final class SocketEndpointTests: XCTestCase {
    func testParsesBothFamilies() {
        let v4 = SocketEndpoint(parsing: "192.168.2.232:22")
        XCTAssertEqual(v4, SocketEndpoint(address: IPAddress("192.168.2.232")!, port: 22))
        let v6 = SocketEndpoint(parsing: "[2001:db8::1]:8443")
        XCTAssertEqual(v6, SocketEndpoint(address: IPAddress("2001:db8::1")!, port: 8443))
        XCTAssertEqual(SocketEndpoint(parsing: "10.0.0.1:65535")?.port, 65535)
    }

    func testDescriptionReadsBackAsTheSameEndpoint() {
        for text in ["192.168.2.232:22", "[2001:db8::1]:22", "[fe80::1]:1"] {
            XCTAssertEqual(SocketEndpoint(parsing: text)?.description, text)
        }
    }

    func testRejectsMalformedTextAndPortsOutsideTheRange() {
        for text in [
            "10.0.0.1", "10.0.0.1:", "10.0.0.1:0", "10.0.0.1:65536", "10.0.0.1:ssh", "host:22", "2001:db8::1:22",
            "[10.0.0.1]:22", "[2001:db8::1]22", "[2001:db8::1:22", "[2001:db8::1]", ":22",
        ] {
            XCTAssertNil(SocketEndpoint(parsing: text), text)
        }
    }

    func testConflictsOnTheSamePortWithTheSameAddressOrAWildcardOfTheFamily() {
        func endpoint(_ text: String) -> SocketEndpoint { SocketEndpoint(parsing: text)! }
        XCTAssertTrue(endpoint("10.0.0.1:22").conflicts(with: endpoint("10.0.0.1:22")))
        XCTAssertTrue(endpoint("0.0.0.0:22").conflicts(with: endpoint("10.0.0.1:22")))
        XCTAssertTrue(endpoint("[2001:db8::1]:22").conflicts(with: endpoint("[::]:22")))
        XCTAssertFalse(endpoint("10.0.0.1:22").conflicts(with: endpoint("10.0.0.2:22")))
        XCTAssertFalse(endpoint("10.0.0.1:22").conflicts(with: endpoint("10.0.0.1:2222")))
        XCTAssertFalse(endpoint("0.0.0.0:22").conflicts(with: endpoint("[::]:22")))
        XCTAssertFalse(endpoint("0.0.0.0:22").conflicts(with: endpoint("[2001:db8::1]:22")))
    }
}
