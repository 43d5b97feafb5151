import FoundationEssentials
import VipdCore
import VipdLab

/// Bounded waits that give up at once when the demo is interrupted (SIGINT, SIGTERM).
struct DemoPacing: Sendable {
    /// True once the user asked the demo to stop.
    let isCancelled: @Sendable () -> Bool

    /// Throws `DemoInterrupted` when the demo was interrupted.
    func checkpoint() throws {
        if isCancelled() { throw DemoInterrupted() }
    }

    /// Polls `condition` every `poll` until it holds (returns how long that took) or `limit` has
    /// passed (returns nil).
    func waitUntil(
        within limit: Duration, poll: Duration = .milliseconds(100), _ condition: () throws -> Bool
    ) throws -> Duration? {
        let clock = ContinuousClock()
        let start = clock.now
        while true {
            try checkpoint()
            if try condition() { return clock.now - start }
            if clock.now - start >= limit { return nil }
            sleepBlockingThisThread(for: poll)
        }
    }

    /// Waits `duration`, in slices, unless interrupted.
    func pause(_ duration: Duration) throws {
        _ = try waitUntil(within: duration) { false }
    }
}
