import Logging
import Synchronization

/// Feeds systemd's watchdog only while the work is alive: every ping interval each watched loop
/// is handed a heartbeat task, and `WATCHDOG=1` is sent only while every loop ran its last one
/// within 1.5 ping intervals (the decision is ``WatchdogGate``'s). A stuck loop stops the pings
/// and systemd restarts vipd after `WatchdogSec=`; a loop that answers again resumes them.
public final class HeartbeatWatchdog: Sendable {
    /// One place where work runs: a name for the log and how to run a closure there (e.g. an
    /// event loop's `execute`, or a task that first awaits an actor).
    public struct Loop: Sendable {
        public let name: String
        public let execute: @Sendable (_ heartbeat: @escaping @Sendable () -> Void) -> Void

        public init(name: String, execute: @escaping @Sendable (_ heartbeat: @escaping @Sendable () -> Void) -> Void) {
            self.name = name
            self.execute = execute
        }
    }

    private let task: Task<Void, Never>

    /// Starts pinging every `pingInterval` (half of `WatchdogSec=`, see
    /// ``ServiceNotifier/watchdogPingInterval``); the first ping goes at once.
    public init(notifier: ServiceNotifier, pingInterval: Duration, loops: [Loop], logger: Logger) {
        let clock = ContinuousClock()
        let gate = Mutex(WatchdogGate(loops: loops.map(\.name), maxSilence: pingInterval * 3 / 2, now: clock.now))
        task = Task {
            var withholding = false
            while !Task.isCancelled {
                let silent = gate.withLock { $0.silentLoops(now: clock.now) }
                if silent.isEmpty {
                    if withholding { logger.notice("watchdog: every loop answers again; pinging systemd again") }
                    withholding = false
                    notifier.send(.watchdog)
                } else if !withholding {
                    let names = silent.map { "\($0.loop) silent for \($0.silence)" }.joined(separator: ", ")
                    logger.critical("watchdog: \(names); no longer pinging systemd, which restarts vipd after WatchdogSec")
                    withholding = true
                }
                for loop in loops where gate.withLock({ $0.shouldRequestBeat(from: loop.name) }) {
                    loop.execute { gate.withLock { $0.recordBeat(from: loop.name, at: clock.now) } }
                }
                try? await Task.sleep(for: pingInterval)
            }
        }
    }

    /// Stops pinging.
    public func stop() {
        task.cancel()
    }

    deinit {
        task.cancel()
    }
}
