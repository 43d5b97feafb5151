import ArgumentParser
import VipdCore
import VipdDaemon
import VipdSystem

/// `vipd sshd-snippet`: the sshd_config.d snippet that makes this node's sshd leave VIP:22 to vipd.
struct SSHDSnippetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sshd-snippet",
        abstract: "Print or write the sshd_config.d snippet that makes sshd listen only on this node's own address.",
        discussion: """
            Without --write the snippet is printed, and what would stop --write is listed on standard error. \
            With --write it replaces <dir of --sshd-config>/sshd_config.d/01-vipd.conf atomically (the previous \
            file is kept as 01-vipd.conf.vipd-backup) and `sshd -t` must accept the result, else the previous \
            file is put back. It refuses, changing nothing, when the node's address is not on this host or \
            when the main sshd_config would keep the snippet from deciding where sshd listens.
            """)

    @OptionGroup var options: ConfigOption

    @Option(name: .long, help: "This host's node name in cluster.nodes (default: found from this host's addresses, then the hostname).")
    var node: String?

    @Flag(name: .long, help: "Write the snippet (and check it with sshd -t) instead of printing it.")
    var write = false

    @Option(name: .customLong("sshd-config"), help: "sshd's main configuration; the snippet goes to its directory's sshd_config.d.")
    var sshdConfig: String = SSHDSnippet.defaultMainConfig

    func run() throws {
        let config = try options.load()
        let coordination: SSHDCoordination
        let hostAddresses: [IPAddress]
        do {
            guard let thisNode = try NodeIdentity.resolve(in: config, explicit: node) else {
                throw ValidationError(
                    config.nodes.isEmpty
                        ? "\(options.config) has no cluster.nodes, so there is no node address to listen on; add cluster.nodes"
                        : "this host is none of cluster.nodes (no address or hostname matches); use --node NAME")
            }
            coordination = SSHDCoordination(
                node: thisNode, configPath: options.config, mainConfig: sshdConfig, activation: SSHDActivation.current())
            hostAddresses = try HostAddresses.current()
        } catch {
            printError("vipd sshd-snippet: \(error)")
            throw ExitCode(1)
        }
        guard write else {
            print(coordination.snippet, terminator: "")
            let problems = coordination.problemsBeforeWriting(hostAddresses: hostAddresses)
            if !problems.isEmpty {
                printError((["note: --write would refuse:"] + problems.map { "  - \($0)" }).joined(separator: "\n"))
            }
            if let unit = coordination.activation.unitName {
                printError("note: sshd is socket-activated here (\(unit)): after --write, \(coordination.activation.applyInOneLine)")
            }
            return
        }
        do {
            let result = try coordination.write(hostAddresses: hostAddresses)
            print(Self.report(result, coordination: coordination))
        } catch {
            printError("vipd sshd-snippet: \(error)")
            throw ExitCode(1)
        }
    }

    /// What was done, and what the admin does next.
    private static func report(_ result: SSHDSnippetWrite, coordination: SSHDCoordination) -> String {
        let done =
            result.changed
            ? "wrote \(result.path) for node \(coordination.node.name)"
                + (result.backup.map { " (the previous file is kept as \($0))" } ?? "")
            : "\(result.path) already holds this snippet for node \(coordination.node.name)"
        let verdict =
            result.checkedBySSHD
            ? "sshd -t -f \(coordination.mainConfig) accepts the configuration"
            : "sshd is not installed at \(SSHDConfigTest.defaultSSHD), so nothing checked it"
        return """
            \(done); \(verdict).
            \(coordination.activation.nextSteps(addresses: coordination.node.addresses))
            Then check that nothing but this host's address holds port 22 (no 0.0.0.0:22, no [::]:22):
              ss -ltnp 'sport = :22'
            Open sessions survive the restart; keep this one until a new `ssh \(coordination.node.address)` works.
            """
    }
}
