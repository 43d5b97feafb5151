import ArgumentParser
import Logging
import VipdDaemon
import VipdHandoff

/// `vipd serve-sessions`: started by `vipd run` at stop to go on serving its sessions; not for
/// people (hidden from the help).
struct ServeSessionsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: SessionServerProcess.subcommand,
        abstract: "Serve the sessions a stopping vipd run hands over (started by vipd run itself).",
        shouldDisplay: false)

    @Option(name: .long, help: "The inherited unix socket the connections arrive on.")
    var socketFd: Int32

    @Option(name: .long, help: "The minimum log level.")
    var logLevel: String = "info"

    func run() async throws {
        LogSetup.bootstrap(level: Logger.Level(rawValue: logLevel) ?? .info)
        let status = await SessionServer.run(socket: socketFd, logger: Logger(label: "vipd-serve-sessions"))
        if status != 0 { throw ExitCode(status) }
    }
}
