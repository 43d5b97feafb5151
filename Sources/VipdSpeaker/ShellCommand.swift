import Foundation
import Logging

/// A command run through `/bin/sh -c` in the background, killed when it outlives its timeout.
enum ShellCommand {
    /// Starts `command`; `completion` gets its exit status (or 128 + signal, or -1 when it could not start).
    static func launch(
        _ command: String, environment: [String: String]? = nil, timeout: Duration, logger: Logger,
        completion: @escaping @Sendable (Int32) -> Void
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command]
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.terminationHandler = { finished in
            let status = finished.terminationReason == .uncaughtSignal ? 128 + finished.terminationStatus : finished.terminationStatus
            completion(status)
        }
        do {
            try process.run()
        } catch {
            logger.error("cannot run /bin/sh -c \(command): \(error)")
            completion(-1)
            return
        }
        let pid = process.processIdentifier
        Task {
            try? await Task.sleep(for: timeout)
            if process.isRunning {
                logger.warning("command timed out after \(timeout), killing it: \(command)")
                kill(pid, SIGKILL)
            }
        }
    }
}
