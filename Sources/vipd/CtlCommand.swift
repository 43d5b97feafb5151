import ArgumentParser
import FoundationEssentials
import VipdConfig
import VipdControl

/// `vipd ctl`: asks the running daemon over its control socket; exit 0 when it did what was asked,
/// 1 otherwise (the message says why), 64 when COMMAND or its arguments are malformed.
struct CtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Control the running vipd: status, servers, drain/maint/ready/weight a server, handover, reload.",
        discussion: """
            COMMAND is one of:
              status                    this node, its VRRP instances, pools and the monitor's findings
              servers                   every server: health, check, admin state, weight, connections
              drain POOL/SERVER         no new connections; established ones continue
              maint POOL/SERVER         out of the pool, its health checks stop
              ready POOL/SERVER         takes new connections again (checks restart after maint)
              weight POOL/SERVER N      weight N (0-256) for new connections
              handover                  give the VIP away now; do not take it back until `ready`
              ready                     end the handover's hold: take part in the VRRP election again
              reload                    reload the configuration file (as SIGHUP)
            """)

    @Option(name: .long, help: "The daemon's control socket (default: --config's global.control_socket, else \(ControlClient.defaultSocketPath)).")
    var socket: String?

    @Option(name: .long, help: "Read the socket path from this file's global.control_socket.")
    var config: String?

    @Flag(name: .long, help: "Print the daemon's answer as one JSON object.")
    var json = false

    @Argument(help: "The command (see below).")
    var command: String

    @Argument(help: "POOL/SERVER, and the weight for `weight`.")
    var arguments: [String] = []

    /// How long to wait for an answer: a handover waits for the new master, a reload for the first checks.
    static let answerTimeout = Duration.seconds(60)

    func run() async throws {
        let request: ControlRequest
        do {
            request = ControlRequest(try ControlCommand(name: command, arguments: arguments))
        } catch {
            printError("vipd ctl: \(error) (vipd ctl --help)")
            throw ExitCode(Vipd.usageExitStatus)
        }
        let path = try socketPath()
        let response: ControlResponse
        do {
            response = try await ControlClient.send(request, to: path, timeout: Self.answerTimeout)
        } catch {
            printError("vipd ctl: \(error)")
            throw ExitCode(1)
        }
        if json {
            print(String(decoding: ControlWire.line(response).dropLast(), as: UTF8.self))
        } else if response.ok {
            print(Self.text(of: response))
        } else {
            printError("vipd ctl \(request.command.name): \(response.message ?? "failed")")
        }
        if !response.ok { throw ExitCode(1) }
    }

    /// `--socket`, else `--config`'s `global.control_socket`, else the default.
    private func socketPath() throws -> String {
        if let socket { return socket }
        guard let config else { return ControlClient.defaultSocketPath }
        return try ConfigOption.load(from: config).global.controlSocket
    }

    /// The human rendering of a successful answer.
    private static func text(of response: ControlResponse) -> String {
        if let status = response.status { return ControlText.status(status) }
        if let servers = response.servers, response.message == nil { return ControlText.servers(servers) }
        let details = (response.servers ?? []).map { "  " + ControlText.serverLine($0) }
        return ([response.message ?? "done"] + details).joined(separator: "\n")
    }
}
