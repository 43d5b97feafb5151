import Foundation
import VipdLab

/// A Python test peer script (next to this file) run as a server: it writes its listening port
/// into a file, which `start` waits for (bounded).
final class PythonPeer {
    let process = Process()
    let port: Int

    /// Starts `python3 SCRIPT ARGUMENTS…` where `arguments` contains `portFile`; stdout goes to `output` if given.
    init(script: String, arguments: [String], portFile: URL, output: URL? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Self.scriptURL(script).path] + arguments
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
