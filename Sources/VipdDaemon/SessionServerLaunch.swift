import CVipdSys
import FoundationEssentials
import Logging
import VipdCore
import VipdHandoff
import VipdProxy
import VipdSystem
#if canImport(Glibc)
import Glibc
#endif

/// At stop, hands the TCP-mode sessions this vipd still serves to a new `vipd serve-sessions`
/// process, which serves them until they end (the unit's `KillMode=process` lets it outlive vipd,
/// as OpenSSH's unit lets sessions outlive sshd).
enum SessionServerLaunch {
    /// Starts the process; `prepare` runs with its pid before any connection is sent (it records the
    /// pid with the kernel state the process will own). Returns the pid, or nil when it could not
    /// start (then the connections' sockets are closed).
    static func start(
        _ connections: [MovedConnection], heldAddresses: [IPAddress], limit: Duration, logLevel: String, logger: Logger,
        prepare: (Int32) throws -> Void
    ) -> Int32? {
        var pair: [CInt] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            logger.error("cannot hand the sessions on: socketpair: \(String(cString: strerror(errno)))")
            closeAll(connections)
            return nil
        }
        defer { close(pair[0]) }
        let pid: pid_t
        do {
            pid = try spawn(socket: pair[1], logLevel: logLevel)
        } catch {
            close(pair[1])
            logger.error("cannot hand the sessions on: \(error)")
            closeAll(connections)
            return nil
        }
        close(pair[1])
        var next = 0
        do {
            try prepare(pid)
            try send(.start(limitMilliseconds: Int64(limit / .milliseconds(1)), heldAddresses: heldAddresses.map(\.description), parent: getpid()), on: pair[0])
            for connection in connections {
                try send(.connection(connection.details), descriptors: [connection.clientDescriptor, connection.serverDescriptor], on: pair[0])
                close(connection.clientDescriptor)
                close(connection.serverDescriptor)
                next += 1
            }
            try send(.end, on: pair[0])
        } catch {
            closeAll(Array(connections[next...]))
            logger.error("cannot hand the sessions on to vipd serve-sessions (pid \(pid)): \(error)")
            kill(pid, SIGTERM)
            return nil
        }
        return pid
    }

    private static func send(_ message: SessionServerMessage, descriptors: [CInt] = [], on socket: CInt) throws {
        let bytes = try message.encoded()
        let sent = bytes.withUnsafeBytes { buffer in
            cvipd_send_with_fds(socket, buffer.baseAddress, buffer.count, descriptors, CInt(descriptors.count))
        }
        guard sent == bytes.count else { throw LaunchFailure("sendmsg: \(String(cString: strerror(errno)))") }
    }

    /// `vipd serve-sessions --socket-fd 3` from this very binary (`/proc/self/exe`: after an upgrade,
    /// the old sessions stay with the old code), in a session of its own, without systemd's notify
    /// and watchdog variables.
    private static func spawn(socket: CInt, logLevel: String) throws -> pid_t {
        let executable = "/proc/self/exe"
        let arguments = ["vipd", SessionServerProcess.subcommand, "--socket-fd", "3", "--log-level", logLevel]
        let dropped = ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"]
        let environment = ProcessInfo.processInfo.environment.filter { !dropped.contains($0.key) }.map { "\($0.key)=\($0.value)" }
        // Only its standard descriptors and the socket, as 3: an inherited pipe end (another
        // thread's `nft` output) would never see its end.
        let spawned = ProcessSpawn.spawn(
            executable, arguments: arguments, environment: environment, descriptors: [(0, 0), (1, 1), (2, 2), (socket, 3)], newSession: true)
        switch spawned {
        case .success(let pid): return pid
        case .failure(let error): throw LaunchFailure("\(error)")
        }
    }

    private static func closeAll(_ connections: [MovedConnection]) {
        for connection in connections {
            close(connection.clientDescriptor)
            close(connection.serverDescriptor)
        }
    }

    private struct LaunchFailure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
