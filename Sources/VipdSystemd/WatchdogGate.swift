/// Decides whether vipd may send `WATCHDOG=1`: only while every work loop has proved recently
/// that it runs, so a stuck loop stops the pings and systemd restarts vipd after `WatchdogSec=`.
///
/// Pure: the caller asks each loop for a heartbeat (a task run on that loop), records the answer
/// with the time it ran, and asks for the verdict; time is passed in.
public struct WatchdogGate<Instant: InstantProtocol>: Sendable where Instant: Sendable, Instant.Duration: Sendable {
    private struct Loop {
        var lastBeat: Instant
        var awaitingBeat = false
    }

    /// How long a loop may stay silent before the pings stop.
    public let maxSilence: Instant.Duration
    private var loops: [String: Loop]

    /// Watches `loops` (by name) from `now`, which counts as their first heartbeat.
    public init(loops: [String], maxSilence: Instant.Duration, now: Instant) {
        self.maxSilence = maxSilence
        self.loops = Dictionary(loops.map { ($0, Loop(lastBeat: now)) }, uniquingKeysWith: { first, _ in first })
    }

    /// Whether to ask `loop` for a new heartbeat now: false while the previous request is
    /// unanswered (a stuck loop is not handed one request per tick). Marks the request as sent.
    public mutating func shouldRequestBeat(from loop: String) -> Bool {
        guard let state = loops[loop], !state.awaitingBeat else { return false }
        loops[loop]?.awaitingBeat = true
        return true
    }

    /// `loop` ran its heartbeat task at `time`.
    public mutating func recordBeat(from loop: String, at time: Instant) {
        guard var state = loops[loop] else { return }
        state.awaitingBeat = false
        if time > state.lastBeat { state.lastBeat = time }
        loops[loop] = state
    }

    /// The loops silent for longer than `maxSilence` at `now`, by name, each with its silence.
    public func silentLoops(now: Instant) -> [(loop: String, silence: Instant.Duration)] {
        loops.compactMap { name, state in
            let silence = state.lastBeat.duration(to: now)
            return silence > maxSilence ? (name, silence) : nil
        }.sorted { $0.loop < $1.loop }
    }

    /// Whether `WATCHDOG=1` may be sent at `now`: every loop has beaten within `maxSilence`.
    public func allowsPing(now: Instant) -> Bool {
        silentLoops(now: now).isEmpty
    }
}
