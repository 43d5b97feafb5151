import FoundationEssentials
import NIOConcurrencyHelpers

/// The one child process a lab server (sshd, nginx) runs at a time: set when it is launched,
/// emptied and stopped by its PID on `stop`, so the server can be restarted.
final class ChildProcessSlot: @unchecked Sendable {
    private let lock = NIOLock()
    private var process: ChildProcess?

    /// True while the process in the slot is alive.
    var isRunning: Bool { lock.withLock { process?.isRunning ?? false } }

    /// Puts a freshly launched process in the slot.
    func hold(_ child: ChildProcess) { lock.withLock { process = child } }

    /// Empties the slot and stops its process: SIGTERM, up to `grace`, then SIGKILL. Safe when empty.
    func stop(grace: Duration) {
        let running = lock.withLock { () -> ChildProcess? in
            defer { process = nil }
            return process
        }
        running?.terminate(grace: grace)
    }
}
