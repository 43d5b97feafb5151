import ArgumentParser
import VipdConfig

/// `vipd check`: validates the file, exit 0 when it is valid, 1 with every error otherwise.
///
/// The file is named the way each tool's users type it: `vipd check FILE`, `-f FILE`, `-c FILE`,
/// `--config FILE`, haproxy's `-c -f FILE` and keepalived's `-t -f FILE`.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the configuration; errors name file:line:column and the key.",
        discussion: """
            The file is the argument, or -f/--config FILE (default \(ConfigOption.defaultPath)). \
            -c and -t are accepted as haproxy's and keepalived's check flags: `vipd check -c -f FILE`, \
            `vipd check -t -f FILE` and `vipd check -c FILE` all check FILE. Naming two different files \
            is a usage error (exit 64).
            """)

    @Flag(name: .customShort("c"), help: "haproxy's check flag (vipd check always only checks).")
    var haproxyCheck = false

    @Flag(name: .customShort("t"), help: "keepalived's test flag (vipd check always only checks).")
    var keepalivedTest = false

    @Option(name: [.customShort("f"), .customLong("config")], help: ArgumentHelp("The cluster configuration file.", valueName: "file"))
    var configs: [String] = []

    @Argument(help: ArgumentHelp("The cluster configuration file (instead of -f).", valueName: "file"))
    var file: String?

    /// The one file named, or the default when none is.
    var path: String {
        get throws {
            var named: [String] = []
            for candidate in configs + (file.map { [$0] } ?? []) where !named.contains(candidate) {
                named.append(candidate)
            }
            guard named.count <= 1 else {
                throw ValidationError("two different files to check (\(named.joined(separator: ", "))); name one")
            }
            return named.first ?? ConfigOption.defaultPath
        }
    }

    func validate() throws { _ = try path }

    func run() throws {
        let path = try path
        let config = try ConfigOption.load(from: path)
        let servers = config.pools.reduce(0) { $0 + $1.servers.count }
        print("\(path): OK (\(config.listeners.count) listener(s), \(config.pools.count) pool(s), \(servers) server(s))")
        config.warnings.forEach { printError("\(path): \($0)") }
    }
}
