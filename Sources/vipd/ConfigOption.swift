import ArgumentParser
import VipdConfig

/// `--config FILE`, shared by the subcommands that read the cluster file.
struct ConfigOption: ParsableArguments {
    /// Where the cluster file is when no option names it.
    static let defaultPath = "/etc/vipd/vipd.yaml"

    @Option(name: .long, help: "The cluster configuration file.")
    var config: String = Self.defaultPath

    /// Loads the file, or prints every error in it (file:line:column: key: message) and exits 1.
    func load() throws -> VipdConfiguration { try Self.load(from: config) }

    /// Loads `path`, or prints every error in it and exits 1.
    static func load(from path: String) throws -> VipdConfiguration {
        do {
            return try ConfigLoader.load(contentsOf: path)
        } catch {
            printError("\(error)")
            throw ExitCode(1)
        }
    }
}
