import ArgumentParser
import VipdConfig

/// The `vipd` command: one program for the VIP, the proxy and its health checks.
@main
struct Vipd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vipd",
        abstract: "The VIP in front of two or more hosts: TCP proxy with SSH-banner checks, VRRP, split-brain monitor (haproxy + keepalived in one).",
        version: VipdVersion.current,
        subcommands: [
            RunCommand.self, CheckCommand.self, MonitorCommand.self, SSHDSnippetCommand.self, DoctorCommand.self,
            ImportCommand.self, DemoCommand.self, CtlCommand.self,
        ]
    )
}
