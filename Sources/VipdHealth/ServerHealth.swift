/// A server's health as the checks have established it.
public enum HealthState: String, Sendable, Equatable {
    /// No check result yet (the server takes no traffic).
    case unknown
    case up
    case down

    /// `UP`, `DOWN`, or `UNKNOWN`, as in haproxy's logs.
    public var word: String { rawValue.uppercased() }
}

/// A change of a server's state, with the check result that caused it.
public struct HealthTransition: Sendable, Equatable {
    public var from: HealthState
    public var to: HealthState
    /// The detail of the check that completed the change (e.g. `connection refused`).
    public var reason: String

    public init(from: HealthState, to: HealthState, reason: String) {
        self.from = from
        self.to = to
        self.reason = reason
    }
}

/// What one recorded check result did.
public struct HealthUpdate: Sendable, Equatable {
    /// Set when the server changed state.
    public var transition: HealthTransition?
    /// The state after the result.
    public var state: HealthState
    /// haproxy's counter text after the result, e.g. `2/3 UP` (two more failures take it down)
    /// or `1/2 DOWN` (one of two successes needed to come up).
    public var progress: String
    /// True when the result is worth an info log line without a transition: a failure of an up
    /// server, a success of a down server, or a result that reset such a partial count.
    public var isNoteworthy: Bool

    public init(transition: HealthTransition?, state: HealthState, progress: String, isNoteworthy: Bool) {
        self.transition = transition
        self.state = state
        self.progress = progress
        self.isNoteworthy = isNoteworthy
    }
}

/// One server's rise/fall counters with haproxy's semantics (`src/check.c`), pure and clock-free.
///
/// - The state starts ``HealthState/unknown``; the first result decides at once (pass: up,
///   fail: down), because the first checks run when the pool starts and only servers that
///   passed get traffic.
/// - Afterwards an up server goes down after `fall` consecutive failures and a down server comes
///   up after `rise` consecutive successes.
/// - A success while up clears the failure count, a failure while down clears the success count.
///   (haproxy moves its single health counter one step back instead; for the usual fall 3 / rise 2
///   the difference only shows with alternating results, where resetting is the more forgiving.)
public struct ServerHealth: Sendable, Equatable {
    /// Consecutive successes that bring a down server up (at least 1).
    public let rise: Int
    /// Consecutive failures that take an up server down (at least 1).
    public let fall: Int
    public private(set) var state: HealthState = .unknown
    /// Failures in a row while up.
    public private(set) var consecutiveFailures = 0
    /// Successes in a row while down.
    public private(set) var consecutiveSuccesses = 0

    public init(rise: Int, fall: Int) {
        self.rise = max(rise, 1)
        self.fall = max(fall, 1)
    }

    /// True only in state ``HealthState/up``.
    public var isUp: Bool { state == .up }

    /// `3/3 UP`, `2/3 UP`, `0/2 DOWN`, `1/2 DOWN`, or `UNKNOWN` before the first result.
    public var progress: String {
        switch state {
        case .unknown: return "UNKNOWN"
        case .up: return "\(fall - consecutiveFailures)/\(fall) UP"
        case .down: return "\(consecutiveSuccesses)/\(rise) DOWN"
        }
    }

    /// Records one check result and reports what changed.
    public mutating func record(passed: Bool, reason: String) -> HealthUpdate {
        let before = state
        var noteworthy = false
        switch (state, passed) {
        case (.unknown, true):
            state = .up
        case (.unknown, false):
            state = .down
        case (.up, true):
            noteworthy = consecutiveFailures > 0
            consecutiveFailures = 0
        case (.up, false):
            consecutiveFailures += 1
            if consecutiveFailures >= fall {
                state = .down
            } else {
                noteworthy = true
            }
        case (.down, false):
            noteworthy = consecutiveSuccesses > 0
            consecutiveSuccesses = 0
        case (.down, true):
            consecutiveSuccesses += 1
            if consecutiveSuccesses >= rise {
                state = .up
            } else {
                noteworthy = true
            }
        }
        var transition: HealthTransition? = nil
        if state != before {
            consecutiveFailures = 0
            consecutiveSuccesses = 0
            transition = HealthTransition(from: before, to: state, reason: reason)
        }
        return HealthUpdate(transition: transition, state: state, progress: progress, isNoteworthy: noteworthy)
    }

    /// Takes the server down at once for a reason outside the checks (e.g. its node stopped
    /// advertising VRRP); it comes back only after `rise` passed checks. Nil when already down.
    public mutating func forceDown(reason: String) -> HealthUpdate? {
        guard state != .down else { return nil }
        let before = state
        state = .down
        consecutiveFailures = 0
        consecutiveSuccesses = 0
        return HealthUpdate(
            transition: HealthTransition(from: before, to: .down, reason: reason), state: state, progress: progress,
            isNoteworthy: true)
    }

    /// Records one check outcome (its ``CheckOutcome/detail`` becomes the reason).
    public mutating func record(_ outcome: CheckOutcome) -> HealthUpdate {
        record(passed: outcome.passed, reason: outcome.detail)
    }
}
