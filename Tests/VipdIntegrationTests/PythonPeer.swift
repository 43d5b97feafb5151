import Foundation
import VipdLab

/// A Python test peer script (next to this file) run as a server: it writes its listening port
/// into a file, which `start` waits for (bounded).
final class PythonPeer {
    let process = Process()
    let port: Int

    /// Starts `python3 SCRIPT ARGUMENTS…` (in `namespace` when given) where `arguments` contains
    /// `portFile`; stdout goes to `output` if given.
    init(script: String, arguments: [String], portFile: URL, output: URL? = nil, namespace: NetworkNamespace? = nil) throws {
        let command = [Self.python.path, Self.scriptURL(script).path] + arguments
        process.executableURL = namespace == nil ? Self.python : NetworkNamespace.ipTool
        process.arguments = namespace.map { ["netns", "exec", $0.name] + command } ?? Array(command.dropFirst())
        if let output {
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: output)
        }
        try process.run()
        var port: Int?
        let deadline = Date().addingTimeInterval(20)
        while port == nil, Date() < deadline {
            port = (try? String(contentsOf: portFile, encoding: .utf8)).flatMap { Int($0) }
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard let port else {
            process.terminate()
            throw VipdProcessError.timedOut(waitingFor: "\(script) to write its port", log: "")
        }
        self.port = port
    }

    /// Debian's python3, which runs the peers.
    static let python = URL(fileURLWithPath: "/usr/bin/python3")

    /// The path of a peer script of this test folder.
    static func scriptURL(_ name: String) -> URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(name)
    }

    /// Waits (bounded) for the peer to exit by itself.
    func waitForExit(timeout: TimeInterval) {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    }

    /// Ends the peer if it still runs.
    func stop() {
        if process.isRunning { process.terminate() }
    }
}
