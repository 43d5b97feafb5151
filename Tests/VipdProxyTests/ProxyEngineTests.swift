import Foundation
import Logging
import NIOCore
import NIOPosix
import VipdConfig
import VipdLab
import XCTest

@testable import VipdProxy

/// The proxy on real loopback sockets: retries, backup servers, idle timeout, maxconn, IPv6.
final class ProxyEngineTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var engine: ProxyEngine!

    override func setUp() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        engine = ProxyEngine(group: group, logger: Logger(label: "test"))
    }

    override func tearDown() async throws {
        await engine.stopAccepting()
        _ = await engine.drain(timeout: .zero)
        try await group.shutdownGracefully()
    }

    private func start(_ yaml: String) async throws {
        try await engine.start(try ConfigLoader.parse(yaml: yaml, file: "test.yaml"))
    }

    private func waitUntil(_ condition: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { return XCTFail("condition not met within 20 s") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    func testAFailedConnectTriesTheNextServer() async throws {
        let live = try await TestBackend.echo(group: group)
        let dead = try FreePort.allocate()
        let port = try FreePort.allocate()
        try await start(
            """
            listeners: { t: { bind: 127.0.0.1:\(port), pool: p, retries: 2 } }
            pools: { p: { servers: [{ name: dead, address: 127.0.0.1:\(dead) }, { name: live, address: 127.0.0.1:\(live.port) }], check: { kind: none } } }
            """)
        for attempt in 0..<4 {
            let client = try BlockingClient(host: "127.0.0.1", port: port)
            try client.send("ping\(attempt)")
            XCTAssertEqual(client.receive(count: 5), "ping\(attempt)")
        }
        await live.close()
    }

    func testNoServerLeftClosesTheClient() async throws {
        let dead = try FreePort.allocate()
        let port = try FreePort.allocate()
        try await start(
            """
            listeners: { t: { bind: 127.0.0.1:\(port), pool: p, retries: 0 } }
            pools: { p: { servers: [{ name: dead, address: 127.0.0.1:\(dead) }], check: { kind: none } } }
            """)
        let client = try BlockingClient(host: "127.0.0.1", port: port)
        XCTAssertTrue(client.waitForClose())
    }

    func testBackupTakesTrafficOnlyWhenNoPrimaryIsUp() async throws {
        let primary = try await TestBackend.echo(group: group, greeting: "P")
        let backup = try await TestBackend.echo(group: group, greeting: "B")
        let port = try FreePort.allocate()
        try await start(
            """
            listeners: { t: { bind: 127.0.0.1:\(port), pool: p } }
            pools:
              p:
                servers:
                  - { name: primary, address: 127.0.0.1:\(primary.port) }
                  - { name: spare, address: 127.0.0.1:\(backup.port), backup: true }
                check: { kind: tcp, interval: 100ms, timeout: 1s, fall: 1, rise: 1 }
            """)
        for _ in 0..<3 {
            XCTAssertEqual(try BlockingClient(host: "127.0.0.1", port: port).receive(count: 1), "P")
        }
        await primary.close()
        let runtimes = await engine.poolRuntimes
        let pool = try XCTUnwrap(runtimes["p"])
        try await waitUntil { !pool.isUp(0) }
        for _ in 0..<3 {
            XCTAssertEqual(try BlockingClient(host: "127.0.0.1", port: port).receive(count: 1), "B")
        }
        await backup.close()
    }

    func testIdleConnectionsAreClosedAfterTheIdleTimeout() async throws {
        let backend = try await TestBackend.echo(group: group)
        let port = try FreePort.allocate()
        try await start(
            """
            listeners: { t: { bind: 127.0.0.1:\(port), pool: p, idle_timeout: 300ms } }
            pools: { p: { servers: [{ address: 127.0.0.1:\(backend.port) }], check: { kind: none } } }
            """)
        let client = try BlockingClient(host: "127.0.0.1", port: port, receiveTimeout: 10)
        try client.send("hi")
        XCTAssertEqual(client.receive(count: 2), "hi")
        XCTAssertTrue(client.waitForClose(), "an idle connection must be closed")
        await backend.close()
    }

    private func startEchoProxy() async throws -> (backend: TestBackend, port: Int) {
        let backend = try await TestBackend.echo(group: group)
        let port = try FreePort.allocate()
        try await start(
            """
            listeners: { t: { bind: 127.0.0.1:\(port), pool: p } }
            pools: { p: { servers: [{ address: 127.0.0.1:\(backend.port) }], check: { kind: none } } }
            """)
        return (backend, port)
    }

    func testDrainEndsWhenTheLastConnectionClosesWithoutForcingAny() async throws {
        let (backend, port) = try await startEchoProxy()
        var client: BlockingClient? = try BlockingClient(host: "127.0.0.1", port: port)
        try client?.send("hi")
        XCTAssertEqual(client?.receive(count: 2), "hi")
        await engine.stopAccepting()
        let engine = engine!
        let drain = Task { await engine.drain(timeout: .seconds(60)) }
        try await Task.sleep(for: .milliseconds(200))
        client = nil
        let started = ContinuousClock.now
        let forced = await drain.value
        XCTAssertEqual(forced, 0)
        XCTAssertLessThan(started.duration(to: .now), .seconds(30), "the drain ends at the last close, not at its deadline")
        XCTAssertEqual(engine.connections.count, 0)
        await backend.close()
    }

    func testDrainClosesTheConnectionsLeftAtItsDeadline() async throws {
        let (backend, port) = try await startEchoProxy()
        let client = try BlockingClient(host: "127.0.0.1", port: port, receiveTimeout: 10)
        try client.send("hi")
        XCTAssertEqual(client.receive(count: 2), "hi")
        await engine.stopAccepting()
        let forced = await engine.drain(timeout: .milliseconds(300))
        XCTAssertEqual(forced, 1)
        XCTAssertEqual(engine.connections.count, 0)
        XCTAssertTrue(client.waitForClose(), "the client sees its connection closed")
        await backend.close()
    }

    func testMaxconnHoldsFurtherClientsUntilASlotFrees() async throws {
        let backend = try await TestBackend.echo(group: group)
        let port = try FreePort.allocate()
        try await start(
            """
            listeners: { t: { bind: 127.0.0.1:\(port), pool: p, maxconn: 1 } }
            pools: { p: { servers: [{ address: 127.0.0.1:\(backend.port) }], check: { kind: none } } }
            """)
        var first: BlockingClient? = try BlockingClient(host: "127.0.0.1", port: port)
        try first?.send("a")
        XCTAssertEqual(first?.receive(count: 1), "a")
        let second = try BlockingClient(host: "127.0.0.1", port: port, receiveTimeout: 20)
        try second.send("b")
        XCTAssertEqual(second.receive(count: 1, timeout: 1), "", "the second client waits in the backlog")
        first = nil
        XCTAssertEqual(second.receive(count: 1), "b", "it is served once the first leaves")
        await backend.close()
    }

    func testIPv6ListenerAndServer() async throws {
        let backend = try await TestBackend.echo(group: group, host: "::1")
        let port = try FreePort.allocate(on: "::1")
        try await start(
            """
            listeners: { t: { bind: "[::1]:\(port)", pool: p } }
            pools: { p: { servers: [{ address: "[::1]:\(backend.port)" }], check: { kind: tcp } } }
            """)
        let client = try BlockingClient(host: "::1", port: port)
        try client.send("six")
        XCTAssertEqual(client.receive(count: 3), "six")
        await backend.close()
    }

    func testReloadKeepsEstablishedConnectionsAndSwitchesRoutes() async throws {
        let one = try await TestBackend.echo(group: group, greeting: "1")
        let two = try await TestBackend.echo(group: group, greeting: "2")
        let port = try FreePort.allocate()
        func config(_ backend: Int) -> String {
            """
            listeners: { t: { bind: 127.0.0.1:\(port), pool: p } }
            pools: { p: { servers: [{ address: 127.0.0.1:\(backend) }], check: { kind: none } } }
            """
        }
        try await start(config(one.port))
        let established = try BlockingClient(host: "127.0.0.1", port: port)
        XCTAssertEqual(established.receive(count: 1), "1")
        let failures = await engine.reload(try ConfigLoader.parse(yaml: config(two.port), file: "test.yaml"))
        XCTAssertTrue(failures.isEmpty)
        XCTAssertEqual(try BlockingClient(host: "127.0.0.1", port: port).receive(count: 1), "2")
        try established.send("still")
        XCTAssertEqual(established.receive(count: 5), "still")
        await one.close()
        await two.close()
    }
}
