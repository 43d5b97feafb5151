import Foundation
import NIOCore
import NIOPosix
import VipdConfig
import VipdCore
import VipdStats
import XCTest

/// Another node's view: the answer read from bytes, what a peer becomes after each answer, and the
/// client against a real stats listener, a closed port and a listener that never answers.
final class PeerStatsTests: XCTestCase {
    private let endpoint = SocketEndpoint(address: IPAddress("10.0.0.2")!, port: 8404)

    private func response(_ status: String, _ body: String, length: Int? = nil) -> [UInt8] {
        Array("HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(length ?? body.utf8.count)\r\nConnection: close\r\n\r\n\(body)".utf8)
    }

    func testAnswerParsing() throws {
        let json = try StatsJSON.render(sampleSnapshot())
        let view = try PeerStatsAnswer.parse(response("200 OK", json)).get()
        XCTAssertEqual(view.node, "ha0")
        XCTAssertEqual(view.vrrp, sampleSnapshot().vrrp)
        let failures: [([UInt8], String)] = [
            ([], "closed without answering"),
            (Array("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n".utf8), "no complete HTTP response"),
            (Array("SSH-2.0-OpenSSH_9.2\r\n\r\n".utf8), "not an HTTP response: SSH-2.0-OpenSSH_9.2"),
            (response("401 Unauthorized", "no"), "answered HTTP 401 (stats.auth differs between the nodes?)"),
            (response("404 Not Found", ""), "answered HTTP 404"),
            (response("200 OK", json, length: json.utf8.count + 10), "the answer was cut short (\(json.utf8.count) of \(json.utf8.count + 10) bytes)"),
            (response("200 OK", "{\"node\": \"ha1\"}"), #"not vipd's stats.json: no "vrrp""#),
            (response("200 OK", "{\"vrrp\": [{\"name\": 1}]}"), "not vipd's stats.json: unexpected value at vrrp.0.name"),
            (response("200 OK", "<html>"), "not vipd's stats.json: invalid JSON"),
        ]
        for (bytes, expected) in failures {
            XCTAssertEqual(PeerStatsAnswer.parse(bytes).failure?.description, expected, String(decoding: bytes, as: UTF8.self))
        }
        // Found by fuzz/Sources/fuzz-peer-stats (kept in its corpus): a negative length used to trap.
        XCTAssertEqual(
            PeerStatsAnswer.parse(Array("HTTP/1. 200\r\nContent-Length:-1\r\n\r\n".utf8)).failure?.description,
            "a negative Content-Length (-1)")
        let padded = response("200 OK", json + "trailing", length: json.utf8.count)
        XCTAssertNoThrow(try PeerStatsAnswer.parse(padded).get(), "bytes after Content-Length are not the body")
    }

    func testAPeerKeepsItsLastViewWhileItDoesNotAnswer() throws {
        let view = try PeerStatsAnswer.parse(response("200 OK", try StatsJSON.render(sampleSnapshot()))).get()
        let seen = PeerStats(after: .success(view), from: "ha0", at: endpoint, now: 100, before: nil)
        XCTAssertEqual(seen, PeerStats(node: "ha0", address: "10.0.0.2:8404", reachable: true, error: nil, lastSeen: 100, vrrp: view.vrrp))
        let gone = PeerStats(after: .failure(PeerStatsError("connection refused")), from: "ha0", at: endpoint, now: 105, before: seen)
        XCTAssertEqual(gone, PeerStats(node: "ha0", address: "10.0.0.2:8404", reachable: false, error: "connection refused", lastSeen: 100, vrrp: view.vrrp))
        let never = PeerStats(after: .failure(PeerStatsError("connection refused")), from: "ha0", at: endpoint, now: 105, before: nil)
        XCTAssertNil(never.lastSeen)
        XCTAssertEqual(never.vrrp, [])
        let impostor = PeerStats(after: .success(view), from: "ha1", at: endpoint, now: 110, before: nil)
        XCTAssertFalse(impostor.reachable)
        XCTAssertEqual(impostor.error, "answers as node ha0: is cluster.nodes the same on every node?")
        XCTAssertEqual(impostor.vrrp, [], "its view is not taken for ha1's")
    }

    func testTheClientAgainstARealListener() async throws {
        let credentials = StatsCredentials(user: "admin", password: "s3cret:x")
        let server = try await StatsServer.start(
            endpoint: SocketEndpoint(address: IPAddress("127.0.0.1")!, port: 0), credentials: credentials, snapshot: { sampleSnapshot() })
        let listener = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: server.port)
        let view = try await PeerStatsClient.fetch(listener, credentials: credentials, timeout: .seconds(10)).get()
        XCTAssertEqual(view.node, "ha0")
        XCTAssertEqual(view.vrrp, sampleSnapshot().vrrp)
        let refused = await PeerStatsClient.fetch(
            listener, credentials: StatsCredentials(user: "admin", password: "wrong"), timeout: .seconds(10))
        XCTAssertEqual(refused.failure?.description, "answered HTTP 401 (stats.auth differs between the nodes?)")
        let anonymous = await PeerStatsClient.fetch(listener, credentials: nil, timeout: .seconds(10))
        XCTAssertEqual(anonymous.failure?.description, "answered HTTP 401 (stats.auth differs between the nodes?)")
        await server.close()
        let closed = await PeerStatsClient.fetch(listener, credentials: credentials, timeout: .seconds(10))
        XCTAssertEqual(closed.failure?.description, "connection refused")
    }

    func testAListenerThatNeverAnswersTimesOut() async throws {
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let endpoint = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: silent.localAddress?.port ?? 0)
        let answer = await PeerStatsClient.fetch(endpoint, credentials: nil, timeout: .milliseconds(300))
        XCTAssertEqual(answer.failure?.description, "no whole answer within 300 ms")
        try await silent.close()
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
