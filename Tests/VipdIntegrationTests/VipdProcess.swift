import Foundation
import VipdLab

/// The real `vipd` binary, started by a test with a configuration file, stopped by signal.
final class VipdProcess: @unchecked Sendable {
    /// `vipd` next to the test bundle (swift test builds both), or `$VIPD_BINARY`.
    static var binary: URL {
        if let explicit = ProcessInfo.processInfo.environment["VIPD_BINARY"] { return URL(fileURLWithPath: explicit) }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = runner.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("vipd")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: ".build/debug/vipd")
    }

    let configURL: URL
    let logURL: URL
    private let process = Process()
    private let exited = DispatchSemaphore(value: 0)

    /// Writes `yaml` into `directory`, starts `vipd run` (behind `launcher`, e.g. prlimit, if given),
    /// waits (bounded) for its ready line.
    init(yaml: String, directory: LabDirectory, name: String = "vipd", launcher: [String] = [], arguments: [String] = []) throws {
        configURL = directory.file("\(name).yaml")
        logURL = directory.file("\(name).log")
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let command = launcher + [Self.binary.path, "run", "--config", configURL.path] + arguments
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = log
        process.standardError = log
        let exited = self.exited
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        try waitForLog(containing: "vipd ready", timeout: 30)
    }

    /// Everything vipd logged so far.
    var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Waits until the log contains `text` `count` times; throws with the log when it does not in time.
    func waitForLog(containing text: String, count: Int = 1, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while log.components(separatedBy: text).count - 1 < count {
            if !process.isRunning { throw VipdProcessError.exited(status: process.terminationStatus, log: log) }
            if Date() > deadline { throw VipdProcessError.timedOut(waitingFor: text, log: log) }
            Thread.sleep(forTimeInterval: 0.05)
        }
    }

    /// Replaces the configuration file (for a reload).
    func rewriteConfig(_ yaml: String) throws {
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
    }

    var isRunning: Bool { process.isRunning }

    func signal(_ signal: Int32) {
        kill(process.processIdentifier, signal)
    }

    /// Waits for exit (bounded) and returns the status; SIGKILLs on timeout.
    func waitForExit(timeout: TimeInterval) -> Int32? {
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            _ = exited.wait(timeout: .now() + 5)
            return nil
        }
        return process.terminationStatus
    }

    /// Stops vipd if it still runs (SIGTERM, then SIGKILL).
    func stop() {
        guard process.isRunning else { return }
        signal(SIGTERM)
        _ = waitForExit(timeout: 10)
    }

    deinit { stop() }
}

enum VipdProcessError: Error, CustomStringConvertible {
    case exited(status: Int32, log: String)
    case timedOut(waitingFor: String, log: String)

    var description: String {
        switch self {
        case .exited(let status, let log): "vipd exited with status \(status):\n\(log)"
        case .timedOut(let text, let log): "vipd did not log \"\(text)\" in time:\n\(log)"
        }
    }
}
