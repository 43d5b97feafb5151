import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import VipdConfig
import VipdCore
import VipdHealth
import XCTest

/// Keeps every log message for assertions.
struct CapturingLogHandler: LogHandler {
    struct Entry: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    let entries: NIOLockedValueBox<[Entry]>
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { $1 }
        entries.withLockedValue { $0.append(Entry(level: event.level, message: event.message.description, metadata: merged)) }
    }
}

final class PoolHealthMonitorTests: XCTestCase {
    var group: MultiThreadedEventLoopGroup!
    let entries = NIOLockedValueBox<[CapturingLogHandler.Entry]>([])
    let changes = NIOLockedValueBox<[String]>([])

    override func setUp() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        entries.withLockedValue { $0 = [] }
        changes.withLockedValue { $0 = [] }
    }

    override func tearDown() { try? group.syncShutdownGracefully() }

    private var logger: Logger {
        let entries = self.entries
        return Logger(label: "test") { _ in CapturingLogHandler(entries: entries) }
    }

    private func monitor(_ pool: PoolConfig) -> PoolHealthMonitor {
        let changes = self.changes
        return PoolHealthMonitor(pool: pool, group: group, logger: logger) { index, isUp in
            changes.withLockedValue { $0.append("\(index):\(isUp ? "up" : "down")") }
        }
    }

    private func messages(_ level: Logger.Level? = nil) -> [String] {
        entries.withLockedValue { $0.filter { level == nil || $0.level == level }.map(\.message) }
    }

    /// Checks every 100 ms; the timeout is generous so that a loaded machine does not fail a check.
    private var fast: HealthCheckConfig {
        HealthCheckConfig(kind: .sshBanner(pattern: HealthCheckKind.defaultSSHBannerPattern),
                          interval: .milliseconds(100), timeout: .seconds(2), fall: 2, rise: 2)
    }

    func testServerGoesDownWhenListenerClosesAndUpWhenItReopens() throws {
        let server = try ScriptedServer(group: group, script: .banner("SSH-2.0-x\r\n"))
        let pool = PoolConfig(name: "ssh", servers: [ServerConfig(name: "ha1", endpoint: server.endpoint)], check: fast)
        let monitor = self.monitor(pool)
        defer { monitor.stop() }
        XCTAssertNoThrow(try monitor.start().wait())
        XCTAssertEqual(changes.withLockedValue { $0 }, ["0:up"])
        XCTAssertTrue(monitor.isUp(0))
        XCTAssertEqual(monitor.snapshot.first?.lastOutcome?.detail, #"SSH banner "SSH-2.0-x""#)
        XCTAssertTrue(messages(.notice).contains { $0.hasPrefix(#"server ssh/ha1 is UP: SSH banner "SSH-2.0-x" (check took "#) && $0.hasSuffix("ms); first check") }, "\(messages())")
        XCTAssertTrue(messages(.notice).contains("pool ssh: first checks done, 1 active and 0 backup servers up"), "\(messages())")

        try server.closeListener()
        XCTAssertTrue(waitUntil { self.changes.withLockedValue { $0 } == ["0:up", "0:down"] }, "\(changes.withLockedValue { $0 })")
        XCTAssertFalse(monitor.isUp(0))
        XCTAssertTrue(messages(.info).contains("Health check for server ssh/ha1 failed, reason: connection refused, check took 0 ms, status: 1/2 UP")
                      || messages(.info).contains { $0.hasPrefix("Health check for server ssh/ha1 failed, reason: connection refused, check took ") && $0.hasSuffix("status: 1/2 UP") },
                      "\(messages())")
        XCTAssertTrue(messages(.warning).contains { $0.hasPrefix("server ssh/ha1 is DOWN: connection refused (check took ") && $0.hasSuffix("0 active and 0 backup servers left") }, "\(messages())")
        XCTAssertTrue(messages(.error).contains("pool ssh has no server available!"))
        let warning = entries.withLockedValue { $0.first { $0.level == .warning }! }
        XCTAssertEqual(warning.metadata["pool"], "ssh")
        XCTAssertEqual(warning.metadata["server"], "ha1")

        try server.reopen()
        XCTAssertTrue(waitUntil { self.changes.withLockedValue { $0 } == ["0:up", "0:down", "0:up"] }, "\(changes.withLockedValue { $0 })")
        XCTAssertTrue(messages(.info).contains { $0.hasSuffix("status: 1/2 DOWN") && $0.contains("succeeded") }, "\(messages())")
        XCTAssertEqual(monitor.snapshot.first?.progress, "2/2 UP")
    }

    func testExecCheckTakesAServerDownWithTheExitStatusAndBackUp() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vipd-exec-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let marker = directory.appendingPathComponent("web2-down").path
        // Fails for the server whose marker file exists, with status 3.
        let command = #"[ ! -e "\#(directory.path)/$VIPD_SERVER-down" ] || exit 3"#
        let check = HealthCheckConfig(kind: .exec(command: command), interval: .milliseconds(100), timeout: .seconds(5), fall: 2, rise: 1)
        let pool = PoolConfig(
            name: "web",
            servers: [
                ServerConfig(name: "web1", endpoint: SocketEndpoint(parsing: "127.0.0.1:1")!),
                ServerConfig(name: "web2", endpoint: SocketEndpoint(parsing: "127.0.0.1:2")!),
            ], check: check)
        let monitor = self.monitor(pool)
        defer { monitor.stop() }
        try monitor.start().wait()
        XCTAssertEqual(Set(changes.withLockedValue { $0 }), ["0:up", "1:up"])
        XCTAssertTrue(FileManager.default.createFile(atPath: marker, contents: nil))
        XCTAssertTrue(waitUntil { self.changes.withLockedValue { $0 }.last == "1:down" }, "\(changes.withLockedValue { $0 })")
        XCTAssertTrue(
            messages(.warning).contains { $0.hasPrefix("server web/web2 is DOWN: exit status 3 (check took ") && $0.hasSuffix("1 active and 0 backup servers left") },
            "\(messages())")
        XCTAssertTrue(monitor.isUp(0))
        try FileManager.default.removeItem(atPath: marker)
        XCTAssertTrue(waitUntil { self.changes.withLockedValue { $0 }.last == "1:up" }, "\(changes.withLockedValue { $0 })")
        XCTAssertTrue(messages(.notice).contains { $0.hasPrefix("server web/web2 is UP: exit status 0 (check took ") }, "\(messages())")
    }

    func testFirstResultsDecideAndStartWaitsForAll() throws {
        let up = try ScriptedServer(group: group, script: .banner("SSH-2.0-x\r\n"))
        let silent = try ScriptedServer(group: group, script: .silent)
        defer { try? up.closeListener(); try? silent.closeListener() }
        var check = fast
        check.timeout = .seconds(1)
        check.interval = .seconds(60)
        let pool = PoolConfig(name: "ssh", servers: [
            ServerConfig(name: "ha1", endpoint: up.endpoint),
            ServerConfig(name: "ha2", endpoint: silent.endpoint),
            ServerConfig(name: "ha3", endpoint: try closedPort(group: group), backup: true),
        ], check: check)
        let monitor = self.monitor(pool)
        defer { monitor.stop() }
        try monitor.start().wait()
        XCTAssertEqual(Set(changes.withLockedValue { $0 }), ["0:up", "1:down", "2:down"])
        let snapshot = monitor.snapshot
        XCTAssertEqual(snapshot.map(\.state), [.up, .down, .down])
        XCTAssertEqual(snapshot[1].lastOutcome?.detail, "no SSH banner within 1000 ms")
        XCTAssertEqual(snapshot[2].lastOutcome?.detail, "connection refused")
        XCTAssertTrue(snapshot[2].isBackup)
        XCTAssertFalse(messages(.error).contains("pool ssh has no server available!"))
    }

    /// The first round is logged as such: a server refused at once is not announced as leaving
    /// "0 active and 0 backup servers" while the others are still being checked.
    func testFirstRoundIsLoggedWithoutCountsOfServersNotCheckedYet() throws {
        let up = try ScriptedServer(group: group, script: .banner("SSH-2.0-x\r\n"))
        defer { try? up.closeListener() }
        var check = fast
        check.interval = .seconds(60)
        let pool = PoolConfig(name: "ssh", servers: [
            ServerConfig(name: "ha1", endpoint: try closedPort(group: group)),
            ServerConfig(name: "ha2", endpoint: up.endpoint),
        ], check: check)
        let monitor = self.monitor(pool)
        defer { monitor.stop() }
        try monitor.start().wait()
        XCTAssertEqual(messages(.info).first, "pool ssh: checking 2 of 2 servers", "\(messages())")
        XCTAssertTrue(messages(.warning).contains { $0.hasPrefix("server ssh/ha1 is DOWN: connection refused (check took ") && $0.hasSuffix("); first check") }, "\(messages())")
        XCTAssertTrue(messages(.notice).contains { $0.hasPrefix("server ssh/ha2 is UP: ") && $0.hasSuffix("); first check") }, "\(messages())")
        XCTAssertFalse(messages().contains { $0.contains("servers left") || $0.contains("servers online") }, "\(messages())")
        XCTAssertEqual(messages().last, "pool ssh: first checks done, 1 active and 0 backup servers up")
        let snapshot = monitor.snapshot
        XCTAssertNotNil(snapshot[0].lastChangeAt)
        XCTAssertEqual(snapshot[0].downCount, 0, "down from the start: never went from up to down")
        XCTAssertGreaterThan(snapshot[0].downtime, .zero, "down since its first check")
        XCTAssertEqual(snapshot[1].downtime, .zero)
    }

    func testUncheckedServersAndPoolsWithoutCheckAreAlwaysUp() throws {
        let refused = try closedPort(group: group)
        let pool = PoolConfig(name: "web", servers: [
            ServerConfig(name: "a", endpoint: refused, checked: false),
            ServerConfig(name: "b", endpoint: refused),
        ], check: fast)
        let monitor = self.monitor(pool)
        defer { monitor.stop() }
        try monitor.start().wait()
        XCTAssertEqual(Set(changes.withLockedValue { $0 }), ["0:up", "1:down"])
        XCTAssertEqual(monitor.snapshot[0].progress, "not checked")
        XCTAssertFalse(monitor.snapshot[0].isChecked)

        changes.withLockedValue { $0 = [] }
        var none = pool
        none.name = "nocheck"
        none.check.kind = nil
        let unchecked = self.monitor(none)
        defer { unchecked.stop() }
        try unchecked.start().wait()
        XCTAssertEqual(changes.withLockedValue { $0 }, ["0:up", "1:up"])
        XCTAssertEqual(unchecked.snapshot.map(\.isUp), [true, true])
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(changes.withLockedValue { $0 }, ["0:up", "1:up"], "no checks, no changes")
    }

    func testAllDownAtStartIsReported() throws {
        let pool = PoolConfig(name: "ssh", servers: [ServerConfig(name: "ha1", endpoint: try closedPort(group: group))], check: fast)
        let monitor = self.monitor(pool)
        defer { monitor.stop() }
        try monitor.start().wait()
        XCTAssertEqual(messages(.error), ["pool ssh has no server available!"])
    }

    func testStopEndsChecking() throws {
        let server = try ScriptedServer(group: group, script: .banner("SSH-2.0-x\r\n"))
        defer { try? server.closeListener() }
        let pool = PoolConfig(name: "ssh", servers: [ServerConfig(name: "ha1", endpoint: server.endpoint)], check: fast)
        let monitor = self.monitor(pool)
        try monitor.start().wait()
        XCTAssertTrue(waitUntil { server.records.withLockedValue { $0.count } >= 3 })
        monitor.stop()
        Thread.sleep(forTimeInterval: 1)  // a check connecting at stop() is accepted meanwhile
        let count = server.records.withLockedValue { $0.count }
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertEqual(server.records.withLockedValue { $0.count }, count, "no checks after stop")
    }
}
