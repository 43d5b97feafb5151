import ArgumentParser

/// The `vipd` command: one program for the VIP, the proxy and its health checks.
@main
struct Vipd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vipd",
        abstract: "A TCP proxy with SSH-banner health checks in front of two or more hosts (haproxy + keepalived in one).",
        subcommands: [RunCommand.self, CheckCommand.self, MonitorCommand.self, DemoCommand.self]
    )
}
