import Foundation
import Logging
import NIOPosix
import VipdConfig
import VipdHealth
import VipdLab
import VipdProxy

/// `vipd demo` in its first form: the seed-001 story on one machine.
///
/// Two real OpenSSH sshd ("ha0" and "ha1") listen on loopback ports; vipd, configured from the
/// embedded ``DemoConfiguration``, balances SSH logins over them with SSH-banner checks. The demo
/// shows logins alternating, stops ha1 and shows the check taking it out while logins continue on
/// ha0, starts ha1 again and shows alternation resume, then removes everything it started.
public enum TwoServerDemo {
    /// Something the demo expected did not happen.
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func run(logger: Logger) async throws {
        guard SSHDaemon.isAvailable else {
            throw Failure(description: "OpenSSH is not installed: apt-get install openssh-server openssh-client")
        }
        let directory = try LabDirectory(prefix: "vipd-demo")
        defer { directory.remove() }
        let keys = try LabKeys.generate(in: directory)
        let ha0 = try SSHDaemon.start(name: "ha0", port: try FreePort.allocate(), keys: keys, directory: directory)
        defer { ha0.stop() }
        let ha1 = try SSHDaemon.start(name: "ha1", port: try FreePort.allocate(), keys: keys, directory: directory)
        defer { ha1.stop() }
        let vipPort = try FreePort.allocate()
        let config = try DemoConfiguration.make(listenPort: vipPort, ha0Port: ha0.port, ha1Port: ha1.port)
        say("vipd demo: sshd ha0 on 127.0.0.1:\(ha0.port), sshd ha1 on 127.0.0.1:\(ha1.port), vipd on 127.0.0.1:\(vipPort)")
        say("configuration (embedded):\n\(DemoConfiguration.yaml(listenPort: vipPort, ha0Port: ha0.port, ha1Port: ha1.port))")

        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let engine = ProxyEngine(group: group, logger: logger)
        do {
            try await engine.start(config)
            try await story(engine: engine, vipPort: vipPort, ha0: ha0, ha1: ha1, client: SSHClient(keys: keys))
        } catch {
            await engine.stopAccepting()
            _ = await engine.drain(timeout: .zero)
            try? await group.shutdownGracefully()
            throw error
        }
        await engine.stopAccepting()
        _ = await engine.drain(timeout: .seconds(2))
        try await group.shutdownGracefully()
        say("demo done: everything it started is stopped and removed")
    }

    private static func story(engine: ProxyEngine, vipPort: Int, ha0: SSHDaemon, ha1: SSHDaemon, client: SSHClient) async throws {
        let names = [ha0.port: "ha0", ha1.port: "ha1"]
        guard let pool = await engine.poolRuntimes["ssh"] else { throw Failure(description: "pool ssh missing") }

        say("\n1. ssh to vipd four times: logins alternate between ha0 and ha1")
        let first = try logins(4, client: client, port: vipPort, names: names)
        guard Set(first) == ["ha0", "ha1"] else { throw Failure(description: "logins did not alternate: \(first)") }

        say("\n2. stop sshd on ha1; after fall x interval the ssh-banner check takes it out")
        ha1.stop()
        try await waitUntil("ha1 marked DOWN", timeout: .seconds(30)) { !pool.isUp(1) }
        let second = try logins(4, client: client, port: vipPort, names: names)
        guard Set(second) == ["ha0"] else { throw Failure(description: "logins reached a stopped server: \(second)") }

        say("\n3. start sshd on ha1 again; after rise x interval alternation resumes")
        try ha1.restart()
        try await waitUntil("ha1 marked UP", timeout: .seconds(30)) { pool.isUp(1) }
        let third = try logins(4, client: client, port: vipPort, names: names)
        guard Set(third) == ["ha0", "ha1"] else { throw Failure(description: "ha1 did not rejoin: \(third)") }
    }

    private static func logins(_ count: Int, client: SSHClient, port: Int, names: [Int: String]) throws -> [String] {
        try (1...count).map { attempt in
            let served = try client.serverPort(host: "127.0.0.1", port: port)
            let name = names[served] ?? "port \(served)"
            say("   ssh -p \(port) 127.0.0.1  ->  login \(attempt) served by \(name)")
            return name
        }
    }

    private static func waitUntil(_ what: String, timeout: Duration, _ condition: () -> Bool) async throws {
        let clock = ContinuousClock()
        let start = clock.now
        while !condition() {
            guard clock.now - start < timeout else { throw Failure(description: "timed out waiting for \(what)") }
            try await Task.sleep(for: .milliseconds(100))
        }
        say("   \(what) after \((clock.now - start).millisecondsText)")
    }

    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
