import ArgumentParser
import Logging
import VipdDaemon
import VipdDemo

/// `vipd demo`: the story on one machine, with real OpenSSH.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Two real sshd on loopback behind vipd: logins alternate, one sshd dies, logins continue, it returns.")

    func run() async throws {
        LoggingSystem.bootstrap { label in ConsoleLogHandler(label: label, level: .notice) }
        do {
            try await TwoServerDemo.run(logger: Logger(label: "vipd"))
        } catch {
            printError("demo failed: \(error)")
            throw ExitCode(1)
        }
    }
}
