import Foundation
import VipdConfig
import VipdStats
import XCTest

/// Which request gets which answer, before any snapshot.
final class StatsRequestRouterTests: XCTestCase {
    private func route(method: String = "GET", _ uri: String, authorization: String? = nil, credentials: StatsCredentials? = nil)
        -> Result<StatsResource, StatsRejection>
    {
        StatsRequestRouter.route(method: method, uri: uri, authorization: authorization, credentials: credentials)
    }

    func testResources() throws {
        XCTAssertEqual(try route("/").get(), .page)
        XCTAssertEqual(try route("/stats").get(), .haproxyPage, "where haproxy users' bookmarks point")
        XCTAssertEqual(try route("/stats?refresh").get(), .haproxyPage)
        XCTAssertEqual(try route("/stats.json").get(), .json)
        XCTAssertEqual(try route("/stats.json?t=123").get(), .json)
        XCTAssertEqual(try route(method: "HEAD", "/metrics").get(), .metrics)
        XCTAssertEqual(try route("/stats.csv").get(), .csv)
        XCTAssertEqual(try route("/stats;csv").get(), .haproxyCSV, "haproxy's form of the CSV address")
    }

    func testUnknownPathIs404() {
        guard case .failure(let rejection) = route("/admin") else { return XCTFail("served /admin") }
        XCTAssertEqual(rejection.response.status, 404)
        XCTAssertEqual(rejection.response.body, "no such page: /admin (this listener serves /, /stats, /stats.json, /metrics, /stats.csv, /stats;csv)\n")
    }

    func testOtherMethodsAre405() {
        guard case .failure(let rejection) = route(method: "POST", "/metrics") else { return XCTFail("served POST") }
        XCTAssertEqual(rejection.response.status, 405)
        XCTAssertEqual(rejection.response.headers["Allow"], "GET, HEAD")
    }

    func testAuthenticationComesFirst() throws {
        let credentials = StatsCredentials(user: "u", password: "p")
        for uri in ["/", "/metrics", "/nowhere"] {
            guard case .failure(let rejection) = route(uri, credentials: credentials) else { return XCTFail("served \(uri)") }
            XCTAssertEqual(rejection.response.status, 401)
            XCTAssertEqual(rejection.response.headers["WWW-Authenticate"], BasicAuthentication.challenge)
        }
        let good = "Basic " + Data("u:p".utf8).base64EncodedString()
        XCTAssertEqual(try route("/metrics", authorization: good, credentials: credentials).get(), .metrics)
    }

    func testResponses() {
        let snapshot = sampleSnapshot()
        XCTAssertEqual(StatsResource.page.response(for: snapshot).contentType, "text/html; charset=utf-8")
        XCTAssertEqual(StatsResource.haproxyPage.response(for: snapshot), StatsResource.page.response(for: snapshot))
        XCTAssertEqual(StatsResource.metrics.response(for: snapshot).contentType, "text/plain; version=0.0.4; charset=utf-8")
        XCTAssertEqual(StatsResource.metrics.response(for: snapshot).body, StatsMetrics.render(snapshot))
        XCTAssertEqual(StatsResource.json.response(for: snapshot).headers["Cache-Control"], "no-store")
    }
}
