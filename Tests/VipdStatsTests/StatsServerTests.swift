import Foundation
import VipdConfig
import VipdCore
import VipdStats
import XCTest

import VipdLab

/// The stats listener on a real loopback socket, asked by curl.
final class StatsServerTests: XCTestCase {
    /// Status, headers (lowercased names) and body of one request made with curl.
    private func get(_ port: Int, _ path: String, method: String = "GET", user: String? = nil) throws -> (Int, [String: String], String) {
        let arguments = ["--silent", "--include", "--max-time", "20", "--request", method]
            + (method == "HEAD" ? ["--head"] : []) + (user.map { ["--user", $0] } ?? []) + ["http://127.0.0.1:\(port)\(path)"]
        let output = try ProcessRunner.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments: arguments, timeout: .seconds(30))
        try output.requireSuccess()
        let parts = output.standardOutput.components(separatedBy: "\r\n\r\n")
        let headLines = parts[0].components(separatedBy: "\r\n")
        let status = Int(headLines[0].split(separator: " ")[1]) ?? 0
        var headers: [String: String] = [:]
        for line in headLines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return (status, headers, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    private func start(credentials: StatsCredentials? = nil) async throws -> StatsServer {
        try await StatsServer.start(
            endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 0), credentials: credentials,
            snapshot: { sampleSnapshot() })
    }

    func testServesThePageTheJSONAndTheMetrics() async throws {
        let server = try await start()
        XCTAssertGreaterThan(server.port, 0)
        let (pageStatus, pageHeaders, page) = try get(server.port, "/")
        XCTAssertEqual(pageStatus, 200)
        XCTAssertEqual(pageHeaders["content-type"], StatsPage.contentType)
        XCTAssertEqual(page, StatsPage.html)
        let (jsonStatus, _, json) = try get(server.port, "/stats.json")
        XCTAssertEqual(jsonStatus, 200)
        XCTAssertEqual(try JSONDecoder().decode(StatsSnapshot.self, from: Data(json.utf8)), sampleSnapshot())
        let (metricsStatus, metricsHeaders, metrics) = try get(server.port, "/metrics")
        XCTAssertEqual(metricsStatus, 200)
        XCTAssertEqual(metricsHeaders["content-type"], StatsMetrics.contentType)
        XCTAssertEqual(metrics, StatsMetrics.render(sampleSnapshot()))
        let (headStatus, headHeaders, headBody) = try get(server.port, "/metrics", method: "HEAD")
        XCTAssertEqual(headStatus, 200)
        XCTAssertEqual(headHeaders["content-length"], "\(metrics.utf8.count)")
        XCTAssertEqual(headBody, "")
        let (missingStatus, _, _) = try get(server.port, "/nowhere")
        XCTAssertEqual(missingStatus, 404)
        await server.close()
    }

    func testBasicAuthentication() async throws {
        let server = try await start(credentials: StatsCredentials(user: "admin", password: "pw"))
        let (denied, headers, _) = try get(server.port, "/stats.json")
        XCTAssertEqual(denied, 401)
        XCTAssertEqual(headers["www-authenticate"], BasicAuthentication.challenge)
        let (wrong, _, _) = try get(server.port, "/stats.json", user: "admin:nope")
        XCTAssertEqual(wrong, 401)
        let (allowed, _, _) = try get(server.port, "/stats.json", user: "admin:pw")
        XCTAssertEqual(allowed, 200)
        await server.close()
    }

    func testABoundPortIsAnError() async throws {
        let server = try await start()
        do {
            _ = try await StatsServer.start(
                endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: server.port), credentials: nil,
                snapshot: { sampleSnapshot() })
            XCTFail("bound a port already in use")
        } catch {}
        await server.close()
    }
}
