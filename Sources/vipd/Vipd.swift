import ArgumentParser
import FoundationEssentials
import VipdConfig
#if canImport(Glibc)
import Glibc
#endif

/// The `vipd` command: one program for the VIP, the proxy and its health checks.
///
/// Exit status, the same for every subcommand: 0 ok, 1 an error the user can fix (the message says
/// how), 2 findings (`monitor`, `doctor`), 64 a command line vipd cannot understand (`EX_USAGE`).
@main
struct Vipd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vipd",
        abstract: "The VIP in front of two or more hosts: TCP proxy with SSH-banner checks, VRRP, split-brain monitor (haproxy + keepalived in one).",
        discussion: """
            Exit status: 0 ok, 1 an error the message says how to fix, 2 findings (monitor, doctor), \
            64 a command line vipd cannot understand (unknown command or option, missing or malformed value).

            The configuration file is /etc/vipd/vipd.yaml unless --config names another; its keys \
            are in vipd.yaml(5). The guides are in /usr/share/doc/vipd.
            """,
        version: VipdVersion.current,
        subcommands: [
            RunCommand.self, CheckCommand.self, MonitorCommand.self, SSHDSnippetCommand.self, DoctorCommand.self,
            ImportCommand.self, DemoCommand.self, CtlCommand.self, ServeSessionsCommand.self,
        ]
    )

    /// The exit status of a command line vipd cannot understand (sysexits' `EX_USAGE`, as ArgumentParser's own).
    static let usageExitStatus: Int32 = 64

    /// Refuses an unknown subcommand with the closest one ("did you mean"), then runs as ArgumentParser does.
    static func main() async {
        let shown = configuration.subcommands.filter { $0.configuration.shouldDisplay }.compactMap { $0.configuration.commandName }
        let hidden = configuration.subcommands.filter { !$0.configuration.shouldDisplay }.compactMap { $0.configuration.commandName }
        if let problem = UnknownSubcommand.message(arguments: Array(CommandLine.arguments.dropFirst()), subcommands: shown, hidden: hidden) {
            printError(problem)
            Glibc.exit(usageExitStatus)
        }
        await main(nil)
    }
}
