#if canImport(Glibc)
import Glibc
#endif
import VipdConfig
import VipdCore

/// sshd coordination for one node: the snippet that makes sshd listen on the node's own address(es)
/// only, the checks that it will be in charge, and writing it without ever locking the admin out.
///
/// `vipd sshd-snippet` prints or writes it; `vipd doctor` asks `problems(hostAddresses:)`.
public struct SSHDCoordination: Sendable {
    public let node: ClusterNode
    /// The main sshd configuration, e.g. `/etc/ssh/sshd_config`.
    public let mainConfig: String
    /// `<main config's directory>/sshd_config.d/01-vipd.conf`.
    public let snippetPath: String
    /// The snippet's text for this node.
    public let snippet: String
    /// How sshd listens on this host: what applies the snippet, and whether a socket unit needs its own drop-in.
    public let activation: SSHDActivation

    /// - Parameter configPath: the vipd cluster file, named in the snippet's header.
    /// - Parameter activation: how sshd listens on this host (`SSHDActivation.current()`); a daemon by default.
    public init(
        node: ClusterNode, configPath: String, mainConfig: String = SSHDSnippet.defaultMainConfig,
        activation: SSHDActivation = .daemon
    ) {
        self.node = node
        self.mainConfig = mainConfig
        self.activation = activation
        snippetPath = SSHDSnippet.path(forMainConfig: mainConfig)
        snippet = SSHDSnippet.render(node: node, configPath: configPath, mainConfig: mainConfig)
    }

    /// Where the previous snippet is kept when `write` replaces it.
    public var backupPath: String { snippetPath + ".vipd-backup" }

    /// What makes writing the snippet unsafe or useless: a node address missing on this host (sshd could
    /// not listen there: the admin would be locked out), or the sshd configuration around the snippet
    /// (see `SSHDIncludeAnalysis`).
    public func problemsBeforeWriting(hostAddresses: [IPAddress]) -> [SSHDConfigProblem] {
        let missing = node.addresses.filter { !hostAddresses.contains($0) }.map { address in
            let key = address == node.address ? "address" : "address6"
            return SSHDConfigProblem(
                location: nil,
                message: "node \(node.name)'s \(key) \(address) is not configured on any interface of this host, so sshd "
                    + "could not listen on it and you would be locked out",
                fix: "run this on \(node.name) itself (--node names this host's node), or correct cluster.nodes.\(node.name).\(key)")
        }
        return missing + configurationProblems()
    }

    /// Everything `vipd doctor` reports: `problemsBeforeWriting`, a snippet that is missing or differs
    /// from what `vipd sshd-snippet --write` would write, and a socket unit that does not read sshd_config
    /// (no `sshd-socket-generator`) without a drop-in listening on the node's addresses.
    public func problems(hostAddresses: [IPAddress]) -> [SSHDConfigProblem] {
        let installed = try? HostFile.read(snippetPath)
        var found = problemsBeforeWriting(hostAddresses: hostAddresses)
        if installed != snippet {
            let state = installed == nil ? "is missing" : "differs from what vipd writes for node \(node.name)"
            found.append(
                SSHDConfigProblem(
                    location: snippetPath, message: "the sshd snippet \(state)",
                    fix: "vipd sshd-snippet --write, then \(activation.applyInOneLine)"))
        }
        if case .socketUnit(let unit, generator: false) = activation,
            let problem = socketUnitDropInProblem(try? HostFile.read(SSHDActivation.dropInPath(unit: unit)))
        {
            found.append(problem)
        }
        return found
    }

    /// When sshd's socket unit does not read sshd_config (no `sshd-socket-generator`): a problem unless its
    /// drop-in `dropIn` (nil: missing) clears the unit's addresses and listens on each of the node's. Pure.
    public func socketUnitDropInProblem(_ dropIn: String?) -> SSHDConfigProblem? {
        guard case .socketUnit(let unit, generator: false) = activation else { return nil }
        let lines = Set((dropIn ?? "").split(separator: "\n").map { String($0.filter { !$0.isWhitespace }) })
        let wanted = ["ListenStream="] + node.addresses.map { "ListenStream=\(SocketEndpoint(address: $0, port: 22))" }
        guard !wanted.allSatisfy(lines.contains) else { return nil }
        return SSHDConfigProblem(
            location: SSHDActivation.dropInPath(unit: unit),
            message: "\(unit) holds port 22 for sshd and, without sshd-socket-generator, does not read sshd_config: "
                + "it listens on every address until this drop-in names node \(node.name)'s",
            fix: activation.applyCommands(addresses: node.addresses).joined(separator: "; "))
    }

    /// Writes the snippet atomically (mode 0644, the previous one kept at `backupPath`), then lets
    /// `sshd -t` judge the result and puts the previous file back when sshd rejects it.
    /// - Throws: `SSHDSnippetRefusal` with every problem, before touching anything, when
    ///   `problemsBeforeWriting` finds one; or after restoring, when writing fails or sshd rejects it.
    public func write(hostAddresses: [IPAddress], sshd: String = SSHDConfigTest.defaultSSHD) throws(SSHDSnippetRefusal)
        -> SSHDSnippetWrite
    {
        let blocking = problemsBeforeWriting(hostAddresses: hostAddresses)
        guard blocking.isEmpty else { throw SSHDSnippetRefusal(path: snippetPath, problems: blocking) }
        let changed = (try? HostFile.read(snippetPath)) != snippet
        var backup: String?
        if changed {
            do {
                backup = try AtomicFileWriter.replace(snippetPath, with: snippet, backup: backupPath) ? backupPath : nil
            } catch {
                throw SSHDSnippetRefusal(
                    path: snippetPath,
                    problems: [SSHDConfigProblem(location: nil, message: error.description, fix: "run it as root")])
            }
        }
        let verdict = SSHDConfigTest.run(mainConfig: mainConfig, sshd: sshd)
        if case .rejected(let message) = verdict {
            var outcome = "nothing was changed"
            if changed {
                do {
                    try AtomicFileWriter.restore(snippetPath, from: backup)
                    outcome = backup == nil ? "the new \(snippetPath) was removed" : "the previous \(snippetPath) was put back"
                } catch {
                    outcome = "putting the previous file back failed too (\(error)); restore it from \(backupPath)"
                }
            }
            throw SSHDSnippetRefusal(
                path: snippetPath,
                problems: [
                    SSHDConfigProblem(
                        location: nil, message: "sshd -t -f \(mainConfig) rejects the result: \(message); \(outcome)",
                        fix: "correct what sshd names, then run vipd sshd-snippet --write again")
                ])
        }
        return SSHDSnippetWrite(path: snippetPath, backup: backup, changed: changed, checkedBySSHD: verdict == .accepted)
    }

    /// The main file and the files its covering Include reads, analysed; a main file that cannot be read
    /// is a problem of its own.
    private func configurationProblems() -> [SSHDConfigProblem] {
        let main: SSHDConfigFile
        do {
            main = SSHDConfigFile(path: mainConfig, text: try HostFile.read(mainConfig))
        } catch {
            return [
                SSHDConfigProblem(
                    location: mainConfig, message: error.description,
                    fix: "name sshd's main configuration with --sshd-config PATH")
            ]
        }
        let patterns = SSHDIncludeAnalysis.coveringInclude(in: main, snippetPath: snippetPath).map {
            SSHDIncludeAnalysis.includePatterns($0, sshDirectory: SSHDIncludeAnalysis.defaultSSHDirectory)
        } ?? []
        let included = patterns.flatMap(Self.glob).filter { $0 != snippetPath }.compactMap { path in
            (try? HostFile.read(path)).map { SSHDConfigFile(path: path, text: $0) }
        }
        return SSHDIncludeAnalysis.problems(
            main: main, included: included, snippetPath: snippetPath, family: SSHDAddressFamily(for: node.addresses))
    }

    /// The paths matching `pattern`, sorted as glob(3) (and so sshd) returns them.
    private static func glob(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        guard Glibc.glob(pattern, 0, nil, &result) == 0 else { return [] }
        return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }
    }
}

/// What `SSHDCoordination.write` did.
public struct SSHDSnippetWrite: Sendable, Equatable {
    /// The snippet's path.
    public let path: String
    /// Where the previous snippet was saved; nil when there was none or nothing changed.
    public let backup: String?
    /// False when the file already held exactly this snippet (it was left alone).
    public let changed: Bool
    /// True when `sshd -t` accepted the result; false when sshd is not installed, so nothing checked it.
    public let checkedBySSHD: Bool

    public init(path: String, backup: String?, changed: Bool, checkedBySSHD: Bool) {
        self.path = path
        self.backup = backup
        self.changed = changed
        self.checkedBySSHD = checkedBySSHD
    }
}

/// Why the snippet was not written (or was taken back): every problem, each with its fix.
public struct SSHDSnippetRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let problems: [SSHDConfigProblem]

    public init(path: String, problems: [SSHDConfigProblem]) {
        self.path = path
        self.problems = problems
    }

    public var description: String {
        (["refusing to write \(path):"] + problems.map { "  - \($0)" }).joined(separator: "\n")
    }
}
