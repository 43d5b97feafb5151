import FoundationEssentials
import VipdCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real `vipd` binary running `vipd run` with a configuration file, stopped by signal: how
/// the integration tests and `vipd demo` start the daemon, on loopback or inside a lab namespace.
///
/// The daemon is a `ChildProcess` (posix_spawn, default signal dispositions even when the caller
/// ignores SIGINT), its standard output and error go to `NAME.log` in the lab directory.
public final class VipdProcess: @unchecked Sendable {
    /// `vipd` next to the test bundle (swift test builds both), or `$VIPD_BINARY`.
    public static var binary: URL {
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

    /// The release build as shipped (`scripts/build-release`): `VIPD_SHIPPED_BINARY`, else
    /// `release/vipd` next to the `debug/` directory of `binary` (the same build directory).
    public static var shippedBinary: URL {
        if let explicit = ProcessInfo.processInfo.environment["VIPD_SHIPPED_BINARY"] { return URL(fileURLWithPath: explicit) }
        return binary.resolvingSymlinksInPath().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("release").appendingPathComponent("vipd")
    }

    /// The configuration file written for this daemon (`NAME.yaml`).
    public let configURL: URL
    /// Where the daemon's standard output and error go (`NAME.log`).
    public let logURL: URL
    private let child: ChildProcess

    /// Writes `yaml` into `directory`, starts `executable run --config FILE ARGUMENTS` (behind
    /// `launcher`, e.g. prlimit or `ip netns exec NS`, if given) and waits (bounded) for its ready line.
    /// - Throws: `VipdProcessError` when vipd exits or stays silent for 30 s, with its log.
    public init(
        yaml: String, directory: LabDirectory, name: String = "vipd", launcher: [String] = [], arguments: [String] = [],
        executable: URL = VipdProcess.binary
    ) throws {
        configURL = directory.file("\(name).yaml")
        logURL = directory.file("\(name).log")
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
        try Data().write(to: logURL)
        let command = launcher + [executable.path, "run", "--config", configURL.path] + arguments
        child = try ChildProcess.spawn(
            URL(fileURLWithPath: command[0]), arguments: Array(command.dropFirst()), appendingOutputTo: logURL)
        do {
            try waitForLog(containing: "vipd ready", timeout: 30)
        } catch {
            stop()
            throw error
        }
    }

    /// Everything vipd logged so far.
    public var log: String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }

    /// Runs `vipd ctl --socket SOCKET ARGUMENTS` with the real binary, as root or, with `uid`, as
    /// that user (through setpriv).
    public static func ctl(socket: String, _ arguments: [String], asUID uid: Int? = nil) throws -> ProcessRunner.Output {
        let command = [binary.path, "ctl", "--socket", socket] + arguments
        guard let uid else {
            return try ProcessRunner.run(binary, arguments: Array(command.dropFirst()), timeout: .seconds(90))
        }
        return try ProcessRunner.run(
            URL(fileURLWithPath: "/usr/bin/setpriv"),
            arguments: ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + command, timeout: .seconds(90))
    }

    /// Waits until the log contains `text` `count` times; throws with the log when it does not in time.
    public func waitForLog(containing text: String, count: Int = 1, timeout: TimeInterval) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while log.components(separatedBy: text).count - 1 < count {
            if let status = child.exitStatus { throw VipdProcessError.exited(status: status, log: log) }
            if Date() > deadline { throw VipdProcessError.timedOut(waitingFor: text, log: log) }
            sleepBlockingThisThread(for: .milliseconds(50))
        }
    }

    /// Replaces the configuration file (for a reload).
    public func rewriteConfig(_ yaml: String) throws {
        try yaml.write(to: configURL, atomically: true, encoding: .utf8)
    }

    /// True while vipd has not exited.
    public var isRunning: Bool { child.isRunning }

    /// Sends `signal` to vipd (unless it has exited already).
    public func signal(_ signal: Int32) {
        child.send(signal)
    }

    /// Waits for exit (bounded) and returns the status; SIGKILLs and returns nil on timeout.
    public func waitForExit(timeout: TimeInterval) -> Int32? {
        if let status = child.waitForExit(within: .milliseconds(Int64(timeout * 1000))) { return status }
        child.send(SIGKILL)
        _ = child.waitForExit(within: .seconds(5))
        return nil
    }

    /// Stops vipd if it still runs (SIGTERM, then SIGKILL after ten seconds).
    public func stop() {
        guard child.isRunning else { return }
        signal(SIGTERM)
        _ = waitForExit(timeout: 10)
    }

    deinit { stop() }
}

/// Why a `VipdProcess` did not do what its caller waited for.
public enum VipdProcessError: Error, CustomStringConvertible {
    /// vipd exited (status, or 128 + signal) while the caller waited; with its log.
    case exited(status: Int32, log: String)
    /// vipd did not log `waitingFor` in time; with its log.
    case timedOut(waitingFor: String, log: String)

    public var description: String {
        switch self {
        case .exited(let status, let log): "vipd exited with status \(status):\n\(log)"
        case .timedOut(let text, let log): "vipd did not log \"\(text)\" in time:\n\(log)"
        }
    }
}
