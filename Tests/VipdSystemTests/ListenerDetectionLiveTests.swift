import Foundation
import VipdCore
import VipdLab
import VipdSystem
import XCTest

/// Listener detection on the real kernel: sockets opened by a Python process and by this process in a
/// network namespace of the test's own, and a real sshd holding 0.0.0.0:22 there.
final class ListenerDetectionLiveTests: XCTestCase {
    private var namespace: NetworkNamespace!
    private var directory: LabDirectory!

    override func setUpWithError() throws {
        if let reason = NetworkNamespace.unavailableReason { throw XCTSkip(reason) }
        namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("listen"))
        directory = try LabDirectory(prefix: "vipd-listen")
    }

    override func tearDown() {
        namespace?.delete()
        directory?.remove()
    }

    /// The namespace's listeners on `ports`, polled until `done` holds (at most 20 s).
    private func listeners(ports: Set<Int>, until done: ([ListeningSocket]) -> Bool) throws -> [ListeningSocket] {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let sockets = try namespace.perform { try ListeningSockets.current(ports: ports) }
            if done(sockets) || ContinuousClock.now > deadline { return sockets }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    func testPythonListenersAreFoundWithPidAndProgramAndOwnSocketsAreExcluded() throws {
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { throw XCTSkip("python3 is not installed") }
        let script = """
            import socket, time
            for address, port in (("127.0.0.1", 2201), ("0.0.0.0", 2202)):
                s = socket.socket(); s.bind((address, port)); s.listen(); globals()["s%d" % port] = s
            time.sleep(60)
            """
        let child = try ChildProcess.spawn(
            NetworkNamespace.ipTool, arguments: ["netns", "exec", namespace.name, python.path, "-c", script],
            appendingOutputTo: directory.file("python.log"))
        defer { child.terminate(grace: .seconds(2)) }
        let ownSocket = try namespace.perform { try Self.listen(port: 2203) }
        defer { close(ownSocket) }

        let sockets = try listeners(ports: [2201, 2202, 2203]) { $0.count == 3 }
        XCTAssertEqual(Set(sockets.map(\.local.description)), ["127.0.0.1:2201", "0.0.0.0:2202", "0.0.0.0:2203"])
        for socket in sockets {
            guard case .known(let owners) = socket.owners, owners.count == 1 else { return XCTFail("\(socket)") }
            if socket.local.port == 2203 {
                XCTAssertEqual(owners[0].pid, getpid())
            } else {
                XCTAssertEqual(owners[0].pid, child.pid)
                XCTAssertTrue(owners[0].program.hasPrefix("python3"), owners[0].program)
            }
        }

        let vip = ["10.251.9.100:2201", "10.251.9.100:2202", "10.251.9.100:2203"].map { SocketEndpoint(parsing: $0)! }
        let conflicts = try namespace.perform { try ListenerConflicts.find(wanted: vip) }
        XCTAssertEqual(conflicts.map(\.wanted.port), [2202], "\(conflicts)")
        XCTAssertTrue(
            conflicts.first?.description.hasPrefix("0.0.0.0:2202 is held by python3") ?? false, "\(conflicts)")
        XCTAssertTrue(conflicts.first?.description.contains("(pid \(child.pid)), so vipd cannot bind 10.251.9.100:2202") ?? false)
        let withOwn = try namespace.perform { try ListenerConflicts.find(wanted: vip, excludedPIDs: []) }
        XCTAssertEqual(withOwn.map(\.wanted.port), [2202, 2203])
    }

    /// The tables are read a chunk at a time: with hundreds of connections (rows in several chunks),
    /// accepted ones on the listener's own port among them, the listener alone is found.
    func testTheListenerIsFoundAmongManyConnectionsOnItsPort() throws {
        let listener = try namespace.perform { try Self.listen(port: 2301, backlog: 512) }
        defer { close(listener) }
        let connections = 300
        let descriptors = try namespace.perform { () throws -> [Int32] in
            var made: [Int32] = []
            do {
                for _ in 0..<connections {
                    let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                    guard client >= 0 else { throw LabError.systemCall(name: "socket", errno: errno) }
                    made.append(client)
                    var address = sockaddr_in()
                    address.sin_family = sa_family_t(AF_INET)
                    address.sin_port = in_port_t(UInt16(2301).bigEndian)
                    address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
                    let connected = withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                    }
                    guard connected == 0 else { throw LabError.systemCall(name: "connect to 127.0.0.1:2301", errno: errno) }
                    let accepted = accept(listener, nil, nil)
                    guard accepted >= 0 else { throw LabError.systemCall(name: "accept", errno: errno) }
                    made.append(accepted)
                }
            } catch {
                for descriptor in made { close(descriptor) }
                throw error
            }
            return made
        }
        defer { for descriptor in descriptors { close(descriptor) } }
        let table = try namespace.perform { try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/thread-self/net/tcp")).readToEnd() ?? Data() }
        XCTAssertGreaterThan(table.count, 65_536, "the table should span several reads")
        let sockets = try namespace.perform { try ListeningSockets.current(ports: [2301]) }
        XCTAssertEqual(sockets.map(\.local.description), ["0.0.0.0:2301"])
        guard case .known(let owners) = sockets.first?.owners else { return XCTFail("\(sockets)") }
        XCTAssertEqual(owners.map(\.pid), [getpid()])
    }

    func testRealSSHDOnTheWildcardIsTheConflictForVIP22() throws {
        guard SSHDaemon.isAvailable else { throw XCTSkip("OpenSSH (sshd, ssh, ssh-keygen) is not installed") }
        let keys = try LabKeys.generate(in: directory)
        let sshd = try SSHDaemon.start(name: "wildcard", address: "0.0.0.0", port: 22, keys: keys, directory: directory, namespace: namespace)
        defer { sshd.stop() }
        let pid = try XCTUnwrap(Int32(try String(contentsOf: directory.file("wildcard.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))

        let vip = SocketEndpoint(parsing: "10.251.1.100:22")!
        let conflicts = try namespace.perform { try ListenerConflicts.find(wanted: [vip], sshd: .daemon) }
        XCTAssertEqual(conflicts.count, 1, "\(conflicts)")
        XCTAssertEqual(conflicts.first?.holder.owners, .known([SocketOwner(pid: pid, program: "sshd")]))
        XCTAssertEqual(
            conflicts.first?.description,
            "0.0.0.0:22 is held by sshd (pid \(pid)), so vipd cannot bind 10.251.1.100:22; "
                + "fix: vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)")
        XCTAssertEqual(try namespace.perform { try ListenerConflicts.find(wanted: [SocketEndpoint(parsing: "10.251.1.100:2222")!]) }, [])
    }

    func testASocketSystemdHoldsOnPort22IsSeenAndNamedSSHSocket() throws {
        let python = URL(fileURLWithPath: "/usr/bin/python3")
        guard FileManager.default.isExecutableFile(atPath: python.path) else { throw XCTSkip("python3 is not installed") }
        // A process that calls itself systemd (as PID 1's /proc/PID/comm reads), listening where ssh.socket does.
        let script = """
            import ctypes, socket, time
            ctypes.CDLL(None).prctl(15, b"systemd", 0, 0, 0)
            s = socket.socket(); s.bind(("0.0.0.0", 22)); s.listen()
            time.sleep(60)
            """
        let child = try ChildProcess.spawn(
            NetworkNamespace.ipTool, arguments: ["netns", "exec", namespace.name, python.path, "-c", script],
            appendingOutputTo: directory.file("systemd.log"))
        defer { child.terminate(grace: .seconds(2)) }
        let sockets = try listeners(ports: [22]) { $0.count == 1 }
        XCTAssertEqual(sockets.first?.owners, .known([SocketOwner(pid: child.pid, program: "systemd")]), "\(sockets)")

        // The fact SSHDActivation reads from /proc, and the decision it makes when systemctl cannot be asked.
        let facts = SSHDActivation.facts(root: directory.url.path, listening: sockets)
        XCTAssertTrue(facts.systemdHoldsPort22)
        let ubuntu = SSHDActivation.Facts(
            socketUnit: "ssh.socket", enabled: false, active: nil, systemdHoldsPort22: facts.systemdHoldsPort22, generatorInstalled: true)
        XCTAssertEqual(SSHDActivation(ubuntu), .socketUnit(name: "ssh.socket", generator: true))

        let vip = SocketEndpoint(parsing: "10.251.1.100:22")!
        let conflicts = try namespace.perform { try ListenerConflicts.find(wanted: [vip], sshd: SSHDActivation(ubuntu)) }
        XCTAssertEqual(
            conflicts.map(\.description),
            [
                "0.0.0.0:22 is held by ssh.socket (systemd (pid \(child.pid))), so vipd cannot bind 10.251.1.100:22; "
                    + "fix: ssh.socket listens there for sshd (systemd socket activation): vipd sshd-snippet --write, "
                    + "then systemctl daemon-reload && systemctl restart ssh.socket"
            ])
    }

    /// A TCP socket of this process listening on 0.0.0.0:`port`.
    private static func listen(port: Int, backlog: Int32 = 8) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard descriptor >= 0, bound == 0, Glibc.listen(descriptor, backlog) == 0 else {
            throw LabError.systemCall(name: "listen on 0.0.0.0:\(port)", errno: errno)
        }
        return descriptor
    }
}
