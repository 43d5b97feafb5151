import ArgumentParser
import FoundationEssentials
import VipdImport

/// `vipd import`: prints the vipd.yaml equivalent of an existing haproxy.cfg and keepalived.conf on
/// standard output, and every directive it could not carry on standard error (`FILE:LINE: directive: why`).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Translate haproxy.cfg and keepalived.conf (or either) into vipd.yaml on standard output.",
        discussion: """
            Directives vipd cannot carry are listed on standard error as FILE:LINE: directive: why.
            Give --keepalived once per node (e.g. the MASTER's file, then the BACKUP's); the n-th file
            belongs to the n-th node unless its unicast_src_ip says otherwise. keepalived's
            virtual_server blocks become listeners and pools, so an LVS setup needs no haproxy.cfg.
            """)

    @Option(name: .long, help: ArgumentHelp("The haproxy configuration to translate.", valueName: "haproxy.cfg"))
    var haproxy: String?

    @Option(name: .long, help: ArgumentHelp("A node's keepalived configuration; repeat for each node.", valueName: "keepalived.conf"))
    var keepalived: [String] = []

    @Option(
        name: .long,
        help: ArgumentHelp("A cluster node, when the files do not tell the nodes' addresses; repeat for each node.", valueName: "NAME=ADDRESS"))
    var node: [String] = []

    func validate() throws {
        if haproxy == nil && keepalived.isEmpty {
            throw ValidationError("give --haproxy haproxy.cfg, --keepalived keepalived.conf (once per node), or both")
        }
        for text in node where NodeAddress(parsing: text) == nil {
            throw ValidationError("--node \(text): write NAME=ADDRESS with a numeric address, e.g. --node ha0=192.168.2.230")
        }
    }

    func run() throws {
        do {
            let nodes = node.compactMap(NodeAddress.init(parsing:))
            let result = try ConfigImporter.translate(
                haproxy: try haproxy.map(Self.read), keepalived: try keepalived.map(Self.read), nodes: nodes)
            result.notes.forEach { printError($0.description) }
            print(result.yaml, terminator: "")
        } catch let error as ImportError {
            printError("\(error)")
            throw ExitCode(1)
        }
    }

    /// The file at `path` as text, or an error naming it.
    private static func read(_ path: String) throws -> SourceText {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportError(at: nil, "\(path): cannot read the file (does it exist, and may vipd read it?)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportError(at: nil, "\(path): not UTF-8 text")
        }
        return SourceText(path: path, text: text)
    }
}
