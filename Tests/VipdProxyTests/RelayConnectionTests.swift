import Foundation
import InMemoryLogging
import Logging
import NIOCore
import NIOPosix
import Synchronization
import VipdConfig
import VipdCore
import VipdLab
import XCTest

#if canImport(Glibc)
import Glibc
#endif

@testable import VipdProxy

/// TCP mode on real loopback sockets, relayed by vipd's own epoll loops: connect timeouts, resets,
/// half-close, backpressure, a listener changing mode, resets by address, hand-over and adoption,
/// and descriptors.
final class RelayConnectionTests: XCTestCase {
    private var group: MultiThreadedEventLoopGroup!
    private var engine: ProxyEngine!
    private var logs: InMemoryLogHandler!

    /// How long any single wait of these tests may last.
    private static let patience = Duration.seconds(20)

    override func setUp() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let logs = InMemoryLogHandler()
        self.logs = logs
        engine = ProxyEngine(group: group, logger: Logger(label: "test") { _ in logs })
    }

    override func tearDown() async throws {
        await engine.stopAccepting()
        _ = await engine.drain(timeout: .zero)
        try await group.shutdownGracefully()
    }

    // MARK: Connecting

    /// A connect that gets no answer (the server's listen backlog is full, so its SYNs are dropped) is
    /// given up after `connect_timeout` and retried on the next server, which serves the client: the
    /// timeout, not a refusal, moved it on, and well before the kernel's own connect timeout.
    func testAConnectThatTimesOutIsRetriedOnTheNextServer() async throws {
        let silent = try RawListener.open(backlog: 0)
        try silent.fillBacklog()
        let live = try await TestBackend.echo(group: group)
        let port = try await startProxy(
            servers: [("silent", silent.port), ("live", live.port)], settings: "connect_timeout: 300ms, retries: 1")
        // Round robin: of two clients in a row, at least one is sent to the silent server first.
        var slowest = Duration.zero
        for attempt in 0..<2 {
            let started = ContinuousClock.now
            let client = try BlockingClient(host: "127.0.0.1", port: port, receiveTimeout: 10)
            try client.send("ping\(attempt)")
            XCTAssertEqual(client.receive(count: 5), "ping\(attempt)")
            slowest = max(slowest, started.duration(to: .now))
        }
        XCTAssertGreaterThanOrEqual(slowest, .milliseconds(250), "one client waited for the connect timeout")
        XCTAssertLessThan(slowest, .seconds(10), "the retry comes after connect_timeout, not the kernel's timeout")
        let silentTraffic = engine.connections.traffic.readings[TrafficCounters.Key(pool: "p", server: "silent")]
        XCTAssertGreaterThanOrEqual(silentTraffic?.connectErrors ?? 0, 1)
        let warnings = logs.entries.filter { $0.level == .warning }.map(\.message.description)
        XCTAssertTrue(
            warnings.contains { $0.contains("connection timed out after 300 ms; trying the next server") }, "\(warnings)")
        await live.close()
    }

    // MARK: Resets

    /// A server that resets its connection (SO_LINGER 0) gets its client's connection closed too.
    func testAServerResetClosesTheClientConnection() async throws {
        let (client, server) = try await relayedPair()
        server.resetAndClose()
        let end = client.waitForEnd(until: .now + Self.patience)
        XCTAssertTrue(end == .eof || end == .reset, "the client's connection must close, got \(end)")
        await waitUntil("the relayed connection is over") { self.engine.connections.count == 0 }
    }

    /// A client that resets its connection (SO_LINGER 0) gets the server's connection closed too.
    func testAClientResetClosesTheServerConnection() async throws {
        let (client, server) = try await relayedPair()
        client.resetAndClose()
        let end = server.waitForEnd(until: .now + Self.patience)
        XCTAssertTrue(end == .eof || end == .reset, "the server's connection must close, got \(end)")
        await waitUntil("the relayed connection is over") { self.engine.connections.count == 0 }
    }

    /// Bytes a server sent just before it reset its connection still reach the client, then the
    /// close: Linux keeps them readable ahead of the reset (a direct client reads them), so a relay
    /// that learns of both at once must pass them on before closing. (A server that closes with
    /// input unread resets, e.g. after writing an error message.) The relay loops are held meanwhile.
    func testBytesAServerSentBeforeItsResetStillReachTheClient() async throws {
        let (client, server) = try await relayedPair()
        try lastBytesBeforeAReset(from: server, to: client)
    }

    /// Bytes a client sent just before it reset its connection still reach the server, then the
    /// close (as for a server's reset, the other way).
    func testBytesAClientSentBeforeItsResetStillReachTheServer() async throws {
        let (client, server) = try await relayedPair()
        try lastBytesBeforeAReset(from: client, to: server)
    }

    /// `sender` writes a few bytes and resets while the relay loops are held; `receiver` must read
    /// those bytes, then the connection's end.
    private func lastBytesBeforeAReset(from sender: RawSocket, to receiver: RawSocket) throws {
        let deadline = ContinuousClock.now + Self.patience
        try holdingTheRelayLoops {
            try sender.write("last words", until: deadline)
            sender.resetAndClose()
        }
        var received: [UInt8] = []
        let end = receiver.read(until: deadline) { chunk in
            received += chunk
            return true
        }
        XCTAssertEqual(String(decoding: received, as: UTF8.self), "last words", "the bytes sent before the reset")
        XCTAssertTrue(end == .eof || end == .reset, "then the connection closes, got \(String(describing: end))")
    }

    /// Runs `body` while every relay loop is held (blocked in a task of the test's), then lets them go
    /// 100 ms later: vipd learns at once of everything `body` made happen.
    private func holdingTheRelayLoops(_ body: () throws -> Void) throws {
        let loops = RelayLoops.shared.loops
        let held = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        for loop in loops {
            loop.execute {
                held.signal()
                _ = release.wait(timeout: .now() + 10)
            }
        }
        defer { for _ in loops { release.signal() } }
        for _ in loops where held.wait(timeout: .now() + 10) == .timedOut {
            throw SocketTestError("a relay loop did not take the task that holds it")
        }
        try body()
        Thread.sleep(forTimeInterval: 0.1)
    }

    /// `connections.reset(acceptedOn:)` (a virtual address leaving the node) counts a relayed
    /// connection accepted on that address, resets it (the client gets an RST at once), and its future
    /// completes once the connection is closed.
    func testResettingTheConnectionsOfAnAddressResetsARelayedConnection() async throws {
        let backend = try await TestBackend.echo(group: group)
        let port = try await startProxy(servers: [("echo", backend.port)])
        let client = try RawSocket.connect(to: port)
        let deadline = ContinuousClock.now + Self.patience
        try client.write("hi", until: deadline)
        XCTAssertEqual(try client.read(count: 2, until: deadline), "hi")
        let loopback: Set<IPAddress> = [IPAddress("127.0.0.1")!]
        XCTAssertEqual(engine.connections.count(acceptedOn: loopback), 1)
        XCTAssertEqual(engine.connections.count(acceptedOn: [IPAddress("127.0.0.2")!]), 0)
        let (count, closed) = engine.connections.reset(acceptedOn: loopback)
        XCTAssertEqual(count, 1)
        let started = ContinuousClock.now
        XCTAssertEqual(client.waitForEnd(until: deadline), .reset)
        XCTAssertLessThan(started.duration(to: .now), .seconds(2), "the reset is prompt")
        await waitFor(try XCTUnwrap(closed), "the future of the reset")
        XCTAssertEqual(engine.connections.count(acceptedOn: loopback), 0)
        XCTAssertEqual(engine.connections.relayed.count, 0)
        await backend.close()
    }

    // MARK: Half-close

    /// The client shuts its side down first: the server still gets every byte, then the end, and its
    /// answer, sent after that, still reaches the client, followed by the end.
    func testAClientHalfCloseStillCarriesTheServersAnswer() async throws {
        let (client, server) = try await relayedPair()
        try await exchangeAcrossHalfClose(first: client, second: server)
    }

    /// The server shuts its side down first: the client still gets every byte, then the end, and its
    /// answer, sent after that, still reaches the server, followed by the end.
    func testAServerHalfCloseStillCarriesTheClientsAnswer() async throws {
        let (client, server) = try await relayedPair()
        try await exchangeAcrossHalfClose(first: server, second: client)
    }

    /// `first` sends 1 MiB and shuts its side down; `second` reads all of it and the end, only then
    /// answers 1 MiB and shuts down; `first` must read the whole answer, then the end.
    private func exchangeAcrossHalfClose(first: RawSocket, second: RawSocket) async throws {
        let size = 1 << 20
        let deadline = ContinuousClock.now + Self.patience
        async let received = onThread {
            let request = second.readPattern(until: deadline)
            try second.writePattern(count: size, until: deadline)
            second.shutdownWrite()
            return request
        }
        try first.writePattern(count: size, until: deadline)
        first.shutdownWrite()
        let answer = first.readPattern(until: deadline)
        let request = try await received
        XCTAssertEqual(request, PatternRead(count: size, intact: true, end: .eof), "what the second side got")
        XCTAssertEqual(answer, PatternRead(count: size, intact: true, end: .eof), "the answer the first side got")
    }

    // MARK: Backpressure

    /// A server writing 64 MiB as fast as it can to a client that does not read is held back once
    /// the buffers on the way are full: what it wrote stops growing, far below 64 MiB (vipd reads no
    /// more from it than it can pass on). Once the client reads, every byte arrives, in order.
    func testAServerIsHeldBackWhileTheClientDoesNotRead() async throws {
        let total = 64 << 20
        let (client, server) = try await relayedPair()
        let written = ByteCounter()
        let deadline = ContinuousClock.now + .seconds(60)
        async let writing: Void = onThread {
            try server.writePattern(count: total, until: deadline, counting: written)
            server.close()
        }
        let stalledAt = await steadyCount(of: written, quietFor: .seconds(2))
        XCTAssertLessThan(stalledAt, total / 2, "the server must be held back, not read into vipd's memory")
        let read = client.readPattern(until: deadline)
        try await writing
        XCTAssertEqual(read, PatternRead(count: total, intact: true, end: .eof))
    }

    /// The count once it stayed the same for `quiet` (checked every 100 ms, for at most ``patience``).
    private func steadyCount(of counter: ByteCounter, quietFor quiet: Duration) async -> Int {
        let deadline = ContinuousClock.now + Self.patience
        var last = counter.count
        var changedAt = ContinuousClock.now
        while ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
            let current = counter.count
            if current != last {
                last = current
                changedAt = .now
            } else if current > 0, changedAt.duration(to: .now) >= quiet {
                return current
            }
        }
        XCTFail("the writer never stalled: \(last) bytes written within \(Self.patience)")
        return last
    }

    // MARK: Reload

    /// A reload that changes a listener's mode on the same address binds it anew in the new mode and
    /// goes on serving there: in TCP mode a request reaches the server as sent, in HTTP mode it
    /// carries the X-Forwarded-For vipd adds (the server says which), and back to TCP mode.
    func testAReloadChangingTheModeServesTheAddressInTheNewMode() async throws {
        let backend = try await TestBackend.forwardedForReporter(group: group)
        let port = try FreePort.allocate()
        let endpoint = SocketEndpoint(address: IPAddress("127.0.0.1")!, port: port)
        func config(_ mode: String) throws -> VipdConfiguration {
            try configuration(port: port, servers: [("web", backend.port)], settings: "mode: \(mode)")
        }
        try await engine.start(config("tcp"))
        XCTAssertEqual(try httpBody(fromPort: port), "direct")
        for (mode, body) in [(ListenerMode.http, "forwarded"), (.tcp, "direct")] {
            let failures = await engine.reload(try config(mode.rawValue))
            XCTAssertTrue(failures.isEmpty, "\(failures)")
            let listeners = await engine.boundListeners
            XCTAssertEqual(listeners[endpoint]?.mode, mode)
            XCTAssertEqual(try httpBody(fromPort: port), body, "served in \(mode.rawValue) mode")
        }
        await backend.close()
    }

    /// Sends a GET to `port` and returns the body of the 200 answer.
    private func httpBody(fromPort port: Int) throws -> String {
        let client = try BlockingClient(host: "127.0.0.1", port: port)
        try client.send("GET / HTTP/1.1\r\nHost: vipd.test\r\nConnection: close\r\n\r\n")
        let response = client.receive(count: 64 * 1024)
        XCTAssertTrue(response.hasPrefix("HTTP/1.1 200"), response)
        return response.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
    }

    // MARK: Hand-over

    /// Detaching hands both sockets of a relayed connection over open and no longer relayed: the
    /// server's still talks to the server (it echoes), the client's still reaches the client both ways,
    /// and the relay counts none.
    func testDetachHandsOverBothSocketsOpen() async throws {
        let backend = try await TestBackend.echo(group: group)
        let (client, moved) = try await detachedEchoConnection(backendPort: backend.port)
        let server = RawSocket(owning: moved.serverDescriptor)
        let clientSide = RawSocket(owning: moved.clientDescriptor)
        XCTAssertEqual(moved.details.listener, "t")
        XCTAssertEqual(moved.details.server, "echo")
        XCTAssertEqual(moved.details.bytesFromClient, 2)
        XCTAssertEqual(moved.details.bytesFromServer, 2)
        XCTAssertEqual(engine.connections.relayed.count, 0)
        XCTAssertEqual(engine.connections.count, 0)
        let deadline = ContinuousClock.now + Self.patience
        try server.write("direct", until: deadline)
        XCTAssertEqual(try server.read(count: 6, until: deadline), "direct", "the server's socket still reaches the echo server")
        try clientSide.write("to the client", until: deadline)
        XCTAssertEqual(client.receive(count: 13), "to the client", "the client's socket still reaches the client")
        try client.send("up")
        XCTAssertEqual(try clientSide.read(count: 2, until: deadline), "up", "the relay no longer reads the client")
        server.close()
        clientSide.close()
        await backend.close()
    }

    /// A detached connection adopted by a fresh ``AdoptedConnections`` is relayed again (the client's
    /// bytes come back from the echo server), and `ended()` completes once the client closes.
    func testAnAdoptedConnectionRelaysUntilTheClientCloses() async throws {
        let backend = try await TestBackend.echo(group: group)
        var (client, moved): (BlockingClient?, MovedConnection) = try await detachedEchoConnection(backendPort: backend.port)
        let logs = logs!
        let adopted = AdoptedConnections(group: group, logger: Logger(label: "adopted") { _ in logs })
        try await adopted.adopt(moved)
        try client?.send("again")
        XCTAssertEqual(client?.receive(count: 5), "again")
        XCTAssertEqual(adopted.tracker.relayed.count, 1)
        let (count, ended) = adopted.ended()
        XCTAssertEqual(count, 1)
        client = nil
        await waitFor(try XCTUnwrap(ended), "the adopted connection's end")
        XCTAssertEqual(adopted.tracker.relayed.count, 0)
        XCTAssertEqual(adopted.tracker.count, 0)
        await backend.close()
    }

    /// A client with one echoed exchange through a TCP-mode listener, and its connection detached.
    private func detachedEchoConnection(backendPort: Int) async throws -> (BlockingClient, MovedConnection) {
        let port = try await startProxy(servers: [("echo", backendPort)])
        let client = try BlockingClient(host: "127.0.0.1", port: port)
        try client.send("hi")
        XCTAssertEqual(client.receive(count: 2), "hi")
        XCTAssertEqual(engine.connections.relayed.count, 1)
        let moved = await engine.connections.relayed.detach(within: .seconds(2))
        guard moved.count == 1 else {
            for connection in moved {
                _ = Glibc.close(connection.clientDescriptor)
                _ = Glibc.close(connection.serverDescriptor)
            }
            throw SocketTestError("detach returned \(moved.count) connections, not 1")
        }
        return (client, moved[0])
    }

    // MARK: Descriptors

    /// Relayed connections leave no descriptor behind: after 50 connections through a TCP-mode
    /// listener that is then stopped and drained, the process holds no descriptor it did not hold
    /// before the engine started.
    func testRelayedConnectionsLeaveNoDescriptorBehind() async throws {
        let backend = try await TestBackend.echo(group: group)
        // Made once per process, on first use: the relay loops' epoll sets and eventfds, and the
        // timer descriptor of the dispatch queues behind `Task.sleep` (which the waits below use).
        _ = RelayLoops.shared
        try await Task.sleep(for: .milliseconds(1))
        let before = openDescriptors()
        let port = try await startProxy(servers: [("echo", backend.port)])
        for index in 0..<50 {
            let client = try BlockingClient(host: "127.0.0.1", port: port)
            try client.send("n\(index % 10)")
            XCTAssertEqual(client.receive(count: 2), "n\(index % 10)")
        }
        await waitUntil("every relayed connection closed") { self.engine.connections.count == 0 }
        await engine.stopAccepting()
        let forced = await engine.drain(timeout: .seconds(5))
        XCTAssertEqual(forced, 0)
        // Descriptors opened since (a number reused for another socket names another inode); the
        // echo server closes its ends a moment after vipd closed its own.
        func opened() -> [Int32: String] { openDescriptors().filter { before[$0.key] != $0.value } }
        var left = opened()
        let deadline = ContinuousClock.now + Self.patience
        while !left.isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            left = opened()
        }
        XCTAssertEqual(left, [:], "descriptors left open")
        await backend.close()
    }

    // MARK: Helpers

    /// A configuration with listener `t` on 127.0.0.1:`port` (with `settings`, e.g. `retries: 1`)
    /// and pool `p` of `servers` on 127.0.0.1, without health checks.
    private func configuration(port: Int, servers: [(name: String, port: Int)], settings: String = "") throws -> VipdConfiguration {
        let list = servers.map { "{ name: \($0.name), address: 127.0.0.1:\($0.port) }" }.joined(separator: ", ")
        let extra = settings.isEmpty ? "" : ", \(settings)"
        return try ConfigLoader.parse(
            yaml: """
                listeners: { t: { bind: 127.0.0.1:\(port), pool: p\(extra) } }
                pools: { p: { servers: [\(list)], check: { kind: none } } }
                """,
            file: "test.yaml")
    }

    /// Starts the engine with a TCP-mode listener on a free port (see ``configuration(port:servers:settings:)``); returns the port.
    private func startProxy(servers: [(name: String, port: Int)], settings: String = "") async throws -> Int {
        let port = try FreePort.allocate()
        try await engine.start(try configuration(port: port, servers: servers, settings: settings))
        return port
    }

    /// A client and the server's end of its connection through a TCP-mode listener, with a first
    /// exchange passed (the connection relays).
    private func relayedPair() async throws -> (client: RawSocket, server: RawSocket) {
        let backend = try RawListener.open()
        let port = try await startProxy(servers: [("raw", backend.port)])
        let client = try RawSocket.connect(to: port)
        let server = try backend.accept(within: Self.patience)
        let deadline = ContinuousClock.now + Self.patience
        try client.write("hello", until: deadline)
        XCTAssertEqual(try server.read(count: 5, until: deadline), "hello")
        return (client, server)
    }

    /// Waits (at most ``patience``) until `condition` holds; fails the test when it does not.
    private func waitUntil(_ what: String, _ condition: () async -> Bool) async {
        let deadline = ContinuousClock.now + Self.patience
        while !(await condition()) {
            guard ContinuousClock.now < deadline else { return XCTFail("\(what): not within \(Self.patience)") }
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Waits (at most ``patience``) until `future` completes; fails the test when it does not.
    private func waitFor(_ future: EventLoopFuture<Void>, _ what: String) async {
        let completed = ByteCounter()
        future.whenComplete { _ in completed.add(1) }
        await waitUntil("\(what) completes") { completed.count > 0 }
    }
}

// MARK: - Raw sockets

/// A failure of the test's own socket work.
private struct SocketTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A count shared between threads.
private final class ByteCounter: Sendable {
    private let value = Atomic<Int>(0)

    var count: Int { value.load(ordering: .relaxed) }

    func add(_ amount: Int) {
        value.add(amount, ordering: .relaxed)
    }
}

/// Runs `body` on a thread of its own, beside the test (which blocks in socket calls too), and
/// returns its result. `body` must bound its own waits.
private func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result(catching: body)) }.start()
    }
}

/// The process's open descriptors, each with what it refers to.
private func openDescriptors() -> [Int32: String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
    var descriptors: [Int32: String] = [:]
    for name in names {
        // The directory's own descriptor is gone by now: it has no target left to read.
        guard let fd = Int32(name), let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")
        else { continue }
        descriptors[fd] = target
    }
    return descriptors
}

/// 127.0.0.1:`port` as a socket address, passed to `body`.
private func withLoopbackAddress<T>(port: Int, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = in_addr_t(0x7f00_0001).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
}

/// A byte stream that checks itself: the byte at offset `i` is `i % 251` (a prime, so a chunk of
/// any power-of-two size lost, doubled or moved shows).
private enum CountingPattern {
    static let period = 251
    /// The most written or compared at once.
    static let chunkSize = 64 * 1024
    /// The pattern from offset 0, a chunk and a period long: the bytes from any offset start in its first period.
    static let bytes: [UInt8] = (0..<(chunkSize + period)).map { UInt8($0 % period) }
}

/// What a reader of a ``CountingPattern`` stream got.
private struct PatternRead: Equatable {
    var count = 0
    /// Every byte was the pattern's.
    var intact = true
    var end = RawSocket.End.timedOut
}

/// A nonblocking loopback TCP socket whose every wait has a deadline, for what ``BlockingClient``
/// does not do: the server's end of a connection, binary streams, half-close and reset.
/// Used by one thread at a time.
private final class RawSocket: @unchecked Sendable {
    /// How a connection ended, as its reader saw it.
    enum End: Equatable {
        case eof, reset, timedOut
        case failed(CInt)
    }

    private(set) var fd: CInt

    /// Takes `fd` (closed on deinit) and makes it nonblocking.
    init(owning fd: CInt) {
        self.fd = fd
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    deinit { close() }

    /// A socket whose connect to 127.0.0.1:`port` is under way.
    static func startConnect(to port: Int) throws -> RawSocket {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketTestError("socket: \(errno)") }
        let socket = RawSocket(owning: fd)
        let status = withLoopbackAddress(port: port) { Glibc.connect(fd, $0, $1) }
        guard status == 0 || errno == EINPROGRESS else { throw SocketTestError("connect: \(errno)") }
        return socket
    }

    /// A socket connected to 127.0.0.1:`port`.
    static func connect(to port: Int, within limit: Duration = .seconds(20)) throws -> RawSocket {
        let socket = try startConnect(to: port)
        guard socket.wait(for: POLLOUT, until: .now + limit) else { throw SocketTestError("connect to \(port) timed out") }
        var code: CInt = 0
        var length = socklen_t(MemoryLayout<CInt>.size)
        _ = getsockopt(socket.fd, SOL_SOCKET, SO_ERROR, &code, &length)
        guard code == 0 else { throw SocketTestError("connect to \(port): \(String(cString: strerror(code)))") }
        return socket
    }

    /// Waits until poll reports `events` (or an error or hang-up); false at the deadline.
    func wait(for events: CInt, until deadline: ContinuousClock.Instant) -> Bool {
        var entry = pollfd(fd: fd, events: Int16(events), revents: 0)
        while true {
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return false }
            let milliseconds = CInt(min(left / .milliseconds(1) + 1, 60_000))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return false }
        }
    }

    /// Sends every byte of `bytes`, waiting while the socket is full.
    func write(_ bytes: UnsafeRawBufferPointer, until deadline: ContinuousClock.Instant) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = send(fd, bytes.baseAddress! + offset, bytes.count - offset, CInt(MSG_NOSIGNAL))
            if sent > 0 {
                offset += sent
                continue
            }
            guard errno == EAGAIN || errno == EINTR else { throw SocketTestError("send: \(String(cString: strerror(errno)))") }
            guard wait(for: POLLOUT, until: deadline) else { throw SocketTestError("send: \(bytes.count - offset) bytes left at the deadline") }
        }
    }

    func write(_ text: String, until deadline: ContinuousClock.Instant) throws {
        try Array(text.utf8).withUnsafeBytes { try write($0, until: deadline) }
    }

    /// Sends `count` bytes of the ``CountingPattern``, adding each chunk sent to `written`.
    func writePattern(count: Int, until deadline: ContinuousClock.Instant, counting written: ByteCounter? = nil) throws {
        try CountingPattern.bytes.withUnsafeBytes { pattern in
            var offset = 0
            while offset < count {
                let length = min(CountingPattern.chunkSize, count - offset)
                let start = offset % CountingPattern.period
                try write(UnsafeRawBufferPointer(rebasing: pattern[start..<(start + length)]), until: deadline)
                offset += length
                written?.add(length)
            }
        }
    }

    /// Reads until the connection ends or the deadline passes, handing each chunk (at most
    /// ``CountingPattern/chunkSize`` bytes) to `body`, while it returns true; says how it ended (nil: `body` stopped).
    @discardableResult
    func read(until deadline: ContinuousClock.Instant, _ body: (UnsafeRawBufferPointer) -> Bool) -> End? {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: CountingPattern.chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = recv(fd, buffer.baseAddress, buffer.count, 0)
            if count > 0 {
                guard body(UnsafeRawBufferPointer(rebasing: buffer[0..<count])) else { return nil }
                continue
            }
            if count == 0 { return .eof }
            switch errno {
            case EINTR: continue
            case EAGAIN: guard wait(for: POLLIN, until: deadline) else { return .timedOut }
            case ECONNRESET: return .reset
            case let code: return .failed(code)
            }
        }
    }

    /// Reads exactly `count` bytes, as text; throws when the connection ends first or at the deadline.
    func read(count: Int, until deadline: ContinuousClock.Instant) throws -> String {
        var collected: [UInt8] = []
        let end = read(until: deadline) { chunk in
            collected += chunk
            return collected.count < count
        }
        guard collected.count == count else {
            throw SocketTestError("read \(collected.count) of \(count) bytes (\(String(describing: end)))")
        }
        return String(decoding: collected, as: UTF8.self)
    }

    /// Reads and drops what arrives until the connection ends (or the deadline passes).
    func waitForEnd(until deadline: ContinuousClock.Instant) -> End {
        read(until: deadline) { _ in true } ?? .timedOut
    }

    /// Reads a ``CountingPattern`` stream to its end, checking every byte.
    func readPattern(until deadline: ContinuousClock.Instant) -> PatternRead {
        var result = PatternRead()
        CountingPattern.bytes.withUnsafeBytes { pattern in
            result.end = read(until: deadline) { chunk in
                let start = result.count % CountingPattern.period
                if memcmp(chunk.baseAddress!, pattern.baseAddress! + start, chunk.count) != 0 { result.intact = false }
                result.count += chunk.count
                return true
            } ?? .timedOut
        }
        return result
    }

    /// Shuts the sending side down: the peer reads to the end, and may still send.
    func shutdownWrite() {
        _ = shutdown(fd, CInt(SHUT_WR))
    }

    /// Closes with a reset (SO_LINGER 0): the peer gets an RST, not a FIN.
    func resetAndClose() {
        var noLinger = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
        close()
    }

    func close() {
        guard fd >= 0 else { return }
        _ = Glibc.close(fd)
        fd = -1
    }
}

/// A listening socket on 127.0.0.1, on a port of the kernel's choosing, whose connections the test accepts itself.
private final class RawListener {
    let fd: CInt
    let port: Int
    /// Connections that fill the backlog (``fillBacklog()``), held open.
    private var fillers: [RawSocket] = []

    private init(fd: CInt, port: Int) {
        self.fd = fd
        self.port = port
    }

    deinit {
        fillers.removeAll()
        _ = Glibc.close(fd)
    }

    static func open(backlog: CInt = 16) throws -> RawListener {
        let fd = socket(AF_INET, CInt(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SocketTestError("socket: \(errno)") }
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withLoopbackAddress(port: 0) { bind(fd, $0, $1) } == 0 && listen(fd, backlog) == 0
        let named = bound && withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        } == 0
        guard named else {
            let code = errno
            _ = Glibc.close(fd)
            throw SocketTestError("listen on 127.0.0.1: \(String(cString: strerror(code)))")
        }
        return RawListener(fd: fd, port: Int(UInt16(bigEndian: address.sin_port)))
    }

    /// The next connection (taken, nonblocking).
    func accept(within limit: Duration) throws -> RawSocket {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, CInt(limit / .milliseconds(1))) == 1 else { throw SocketTestError("no connection to accept") }
        let client = Glibc.accept(fd, nil, nil)
        guard client >= 0 else { throw SocketTestError("accept: \(String(cString: strerror(errno)))") }
        return RawSocket(owning: client)
    }

    /// Makes the listener drop every further SYN, so that connects to it neither succeed nor fail:
    /// with a backlog of 0, Linux queues one connection, and this one is never accepted. Checks it
    /// with a probe connect, which must stay pending.
    func fillBacklog() throws {
        fillers.append(try RawSocket.connect(to: port, within: .seconds(5)))
        let probe = try RawSocket.startConnect(to: port)
        guard !probe.wait(for: POLLOUT, until: .now + .milliseconds(300)) else {
            throw SocketTestError("a full listen backlog does not drop connects on this kernel")
        }
    }
}

// MARK: - An HTTP server

extension TestBackend {
    /// An HTTP server on 127.0.0.1 that answers a request with 200 and a body saying whether its head
    /// carried X-Forwarded-For (`forwarded`, as vipd's HTTP mode adds) or not (`direct`), then closes.
    static func forwardedForReporter(group: any EventLoopGroup) async throws -> TestBackend {
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ForwardedForReporter()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestBackend(channel: channel)
    }
}

/// Collects a request head, then answers whether it carried X-Forwarded-For and closes.
private final class ForwardedForReporter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var head = ""
    private var answered = false

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        head += String(buffer: unwrapInboundIn(data))
        guard !answered, head.contains("\r\n\r\n") else { return }
        answered = true
        let body = head.lowercased().contains("\r\nx-forwarded-for:") ? "forwarded" : "direct"
        let response = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: response))).whenComplete { _ in channel.close(promise: nil) }
    }
}
