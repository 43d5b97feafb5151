import FoundationEssentials
import VipdCore

/// Debian's fail2ban-server in the foreground in a lab network namespace, with a throwaway
/// configuration directory: one `sshd` jail (`filter = sshd`, mode normal) on a lab sshd's log and
/// the `nftables-multiport` ban action on port 22. Its socket, pid file, log and in-memory database
/// are the lab's; stopped by its PID with `stop()` (SIGTERM: it removes its nftables table) or on deinit.
///
/// A lab sshd's log (`-E`) has neither a date nor a `sshd[PID]:` prefix, so the jail reads its lines
/// with the time they are read (`datepattern = {NONE}`) and an empty syslog prefix.
public final class Fail2banServer: @unchecked Sendable {
    /// Where Debian installs the server.
    public static let server = URL(fileURLWithPath: "/usr/bin/fail2ban-server")
    /// Where Debian installs the client that asks the server (`fail2ban-client -s SOCKET`).
    public static let client = URL(fileURLWithPath: "/usr/bin/fail2ban-client")
    /// The nftables set the ban action fills (table `inet f2b-table`).
    public static let banSet = ["inet", "f2b-table", "addr-set-sshd"]

    /// True when fail2ban is installed.
    public static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: server.path) && FileManager.default.isExecutableFile(atPath: client.path)
    }

    /// The server's log file.
    public let logURL: URL
    /// The control socket `fail2ban-client -s` talks to.
    public let socketURL: URL
    private let process = ChildProcessSlot()

    /// Writes the configuration under `NAME.fail2ban/`, starts `fail2ban-server -c DIR -s SOCK -p PID -x -f`
    /// in `namespace` and waits (at most 20 s) until the jail answers `status sshd`.
    /// - Parameters:
    ///   - sshdLog: the log the jail reads (a lab sshd's `logURL`).
    ///   - maxRetry: failures within `findtime` (10 minutes) that ban an address for `bantime` (10 minutes).
    public init(name: String, sshdLog: URL, maxRetry: Int, namespace: NetworkNamespace, directory: LabDirectory) throws {
        let configuration = directory.file("\(name).fail2ban")
        logURL = directory.file("\(name).fail2ban.log")
        socketURL = directory.file("\(name).fail2ban.sock")
        try FileManager.default.createDirectory(at: configuration, withIntermediateDirectories: true)
        for shipped in ["filter.d", "action.d"] {
            try FileManager.default.createSymbolicLink(
                at: configuration.appendingPathComponent(shipped), withDestinationURL: URL(fileURLWithPath: "/etc/fail2ban/\(shipped)"))
        }
        let pidFile = directory.file("\(name).fail2ban.pid")
        try """
        [Definition]
        loglevel = INFO
        logtarget = \(logURL.path)
        socket = \(socketURL.path)
        pidfile = \(pidFile.path)
        dbfile = :memory:
        """.write(to: configuration.appendingPathComponent("fail2ban.conf"), atomically: true, encoding: .utf8)
        try """
        [sshd]
        enabled = true
        filter = sshd[mode=normal, __prefix_line=""]
        datepattern = {NONE}
        logpath = \(sshdLog.path)
        backend = polling
        maxretry = \(maxRetry)
        findtime = 10m
        bantime = 10m
        banaction = nftables-multiport
        action = %(banaction)s[port=22, protocol=tcp]
        """.write(to: configuration.appendingPathComponent("jail.conf"), atomically: true, encoding: .utf8)
        process.hold(
            try ChildProcess.spawn(
                NetworkNamespace.ipTool,
                arguments: [
                    "netns", "exec", namespace.name, Self.server.path, "-c", configuration.path, "-s", socketURL.path,
                    "-p", pidFile.path, "-x", "-f",
                ],
                appendingOutputTo: logURL))
        let deadline = ContinuousClock.now + .seconds(20)
        while (try? bannedAddresses()) == nil {
            guard process.isRunning, ContinuousClock.now < deadline else {
                stop()
                throw LabError.daemonFailed(name: name, reason: "fail2ban's jail sshd did not start within 20 s", log: log)
            }
            sleepBlockingThisThread(for: .milliseconds(200))
        }
    }

    deinit { stop() }

    /// Everything the server logged so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// The addresses the jail has banned now (`fail2ban-client status sshd`, its "Banned IP list").
    /// - Throws: `LabError.commandFailed` when the server does not answer.
    public func bannedAddresses() throws -> [String] {
        let status = try ProcessRunner.run(Self.client, arguments: ["-s", socketURL.path, "status", "sshd"], timeout: .seconds(10))
        try status.requireSuccess()
        guard let line = status.standardOutput.split(separator: "\n").first(where: { $0.contains("Banned IP list:") }) else {
            throw LabError.unexpectedOutput(command: status.command, output: status.standardOutput)
        }
        return line.split(separator: ":", maxSplits: 1)[1].split(whereSeparator: \.isWhitespace).map(String.init)
    }

    /// SIGTERM (the jail stops and its action removes the nftables table), SIGKILL after ten seconds.
    public func stop() {
        process.stop(grace: .seconds(10))
    }
}
