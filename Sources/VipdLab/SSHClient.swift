import FoundationEssentials
import VipdCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real ssh client, logging in with the lab's client key.
///
/// It never reads or writes `~/.ssh`: the config is `/dev/null`, known hosts are
/// `/dev/null`, only the lab key is offered, and no control master is used.
public struct SSHClient: Sendable {
    /// The keys whose `clientKey` is offered.
    public let keys: LabKeys
    /// The remote user name.
    public let user: String

    /// A client for `user` (default: the user this process runs as).
    public init(keys: LabKeys, user: String = SSHClient.currentUserName) {
        self.keys = keys
        self.user = user
    }

    /// The name of the effective user, from the password database (`root` in CI).
    public static var currentUserName: String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? "root"
    }

    /// Runs `ssh -p port -i clientKey -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o ConnectTimeout=... user@host command`;
    /// bounded by timeout (kills ssh on expiry).
    /// - Returns: the result whatever the exit status; 255 means ssh itself failed.
    /// - Throws: `LabError.timedOut` when ssh did not finish in time, `LabError.toolMissing`.
    /// - Parameter namespace: run ssh inside this lab network namespace (e.g. the lab's client).
    /// - Parameter bindAddress: the client's source address (`-o BindAddress`), when it has several.
    public func run(
        host: String, port: Int, command: String, timeout: Duration = .seconds(20), namespace: NetworkNamespace? = nil,
        bindAddress: String? = nil
    ) throws -> SSHResult {
        let (executable, arguments) = try commandLine(
            host: host, port: port, command: command, connectTimeout: timeout, namespace: namespace, bindAddress: bindAddress)
        let output = try ProcessRunner.run(executable, arguments: arguments, timeout: timeout)
        return SSHResult(
            exitStatus: output.exitStatus,
            standardOutput: output.standardOutput,
            standardError: output.standardError
        )
    }

    /// Starts `ssh … command` in the background (e.g. an idle session), its output appended to `log`;
    /// the caller stops it with `terminate(grace:)`.
    public func startSession(
        host: String, port: Int, command: String, namespace: NetworkNamespace? = nil, log: URL
    ) throws -> ChildProcess {
        let (executable, arguments) = try commandLine(host: host, port: port, command: command, namespace: namespace)
        return try ChildProcess.spawn(executable, arguments: arguments, appendingOutputTo: log)
    }

    /// The program and arguments that run `ssh … command` with the lab's key, behind
    /// `ip netns exec NAMESPACE` when `namespace` is given: for callers that spawn ssh themselves
    /// (e.g. with their own standard input and output, as `TimedLinesProcess` does).
    /// - Throws: `LabError.toolMissing` without ssh.
    public func commandLine(
        host: String, port: Int, command: String, connectTimeout: Duration = .seconds(10), namespace: NetworkNamespace? = nil,
        bindAddress: String? = nil
    ) throws -> (executable: URL, arguments: [String]) {
        let arguments = sshArguments(
            host: host, port: port, command: command, connectTimeout: connectTimeout, bindAddress: bindAddress)
        let ssh = try OpenSSHTools.ssh()
        guard let namespace else { return (ssh, arguments) }
        return (NetworkNamespace.ipTool, ["netns", "exec", namespace.name, ssh.path] + arguments)
    }

    /// The ssh command line for one non-interactive command with the lab's key.
    private func sshArguments(
        host: String, port: Int, command: String, connectTimeout timeout: Duration, bindAddress: String?
    ) -> [String] {
        let connectTimeout = max(1, Int(timeout.timeInterval.rounded(.up)))
        let bind = bindAddress.map { ["-o", "BindAddress=\($0)"] } ?? []
        return bind + [
            "-F", "/dev/null",
            "-p", String(port),
            "-i", keys.clientKey.path,
            "-o", "IdentitiesOnly=yes",
            "-o", "IdentityAgent=none",
            "-o", "BatchMode=yes",
            "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null",
            "-o", "GlobalKnownHostsFile=/dev/null",
            "-o", "UpdateHostKeys=no",
            "-o", "ControlMaster=no",
            "-o", "ControlPath=none",
            "-o", "LogLevel=ERROR",
            "-o", "ConnectTimeout=\(connectTimeout)",
            "-T",
            "\(user)@\(host)",
            command,
        ]
    }

    /// Logs in and returns the port of the sshd that served the session (parsed from `echo $SSH_CONNECTION`, 4th field) — this tells which backend a login through a proxy landed on.
    /// - Throws: `LabError.commandFailed` when the login fails (with ssh's message),
    ///   `LabError.unexpectedOutput` when the output is not `CLIENT_IP CLIENT_PORT SERVER_IP SERVER_PORT`.
    public func serverPort(
        host: String, port: Int, timeout: Duration = .seconds(20), namespace: NetworkNamespace? = nil
    ) throws -> Int {
        try serverEndpoint(host: host, port: port, timeout: timeout, namespace: namespace).port
    }

    /// Logs in and returns the address and port of the sshd that served the session (3rd and 4th
    /// fields of `$SSH_CONNECTION`).
    /// - Throws: like `serverPort`.
    public func serverEndpoint(
        host: String, port: Int, timeout: Duration = .seconds(20), namespace: NetworkNamespace? = nil
    ) throws -> (address: String, port: Int) {
        let command = "echo $SSH_CONNECTION"
        let result = try run(host: host, port: port, command: command, timeout: timeout, namespace: namespace)
        let description = "ssh -p \(port) \(user)@\(host) '\(command)'"
        guard result.exitStatus == 0 else {
            throw LabError.commandFailed(command: description, exitStatus: result.exitStatus, standardError: result.standardError)
        }
        let fields = result.standardOutput.split(whereSeparator: \.isWhitespace)
        guard fields.count == 4, let serverPort = Int(fields[3]) else {
            throw LabError.unexpectedOutput(command: description, output: result.standardOutput + result.standardError)
        }
        return (String(fields[2]), serverPort)
    }
}
