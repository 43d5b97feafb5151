import ArgumentParser
import VipdConfig

/// `vipd check`: validates the file, exit 0 when it is valid, 1 with every error otherwise.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration; errors name file:line:column and the key.")

    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        let servers = config.pools.reduce(0) { $0 + $1.servers.count }
        print("\(options.config): OK (\(config.listeners.count) listener(s), \(config.pools.count) pool(s), \(servers) server(s))")
        config.warnings.forEach { printError("\(options.config): \($0)") }
    }
}
