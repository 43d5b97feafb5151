import Foundation
import VipdConfig
import VipdStats
import XCTest

/// RFC 7617 basic authentication against the configured user.
final class BasicAuthenticationTests: XCTestCase {
    private let credentials = StatsCredentials(user: "admin", password: "s3cret:with:colons")

    private func header(_ text: String, scheme: String = "Basic") -> String {
        "\(scheme) " + Data(text.utf8).base64EncodedString()
    }

    func testAcceptsTheConfiguredUser() {
        XCTAssertTrue(BasicAuthentication.accepts(header("admin:s3cret:with:colons"), credentials: credentials))
        XCTAssertTrue(BasicAuthentication.accepts(header("admin:s3cret:with:colons", scheme: "basic"), credentials: credentials))
    }

    func testRejectsEverythingElse() {
        for authorization in [
            nil, "", "Basic", "Basic !!!notbase64", header("admin:wrong"), header("admin:s3cret:with:colon"),
            header("admin:s3cret:with:colonsX"), header("Admin:s3cret:with:colons"), header("admin"),
            header("admin:s3cret:with:colons", scheme: "Bearer"),
        ] {
            XCTAssertFalse(BasicAuthentication.accepts(authorization, credentials: credentials), "\(authorization ?? "nil")")
        }
    }
}
