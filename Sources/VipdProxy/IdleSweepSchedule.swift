import NIOCore

/// When the idle sweeps of one timeout length run, and how many quiet sweeps in a row close a
/// connection: a sweep every eighth of the timeout, at most every ``longestInterval``, so that a
/// connection closes between the timeout and two intervals after its last byte. Pure.
struct IdleSweepSchedule: Equatable {
    /// The longest time between sweeps, so that a long timeout is kept to within it.
    static let longestInterval = Duration.seconds(1)

    /// How long a connection may stay quiet.
    let timeout: Duration
    /// The time between sweeps, in nanoseconds.
    let intervalNanoseconds: Int64
    /// Quiet sweeps in a row that close a connection: together at least the timeout.
    let quietSweepsAllowed: Int

    init(timeout: Duration) {
        self.timeout = timeout
        // At most Int64.max less a second (some 292 years), so that the sum below cannot overflow.
        let timeoutNanoseconds = min(max(TimeAmount(timeout).nanoseconds, 1), .max - TimeAmount(Self.longestInterval).nanoseconds)
        intervalNanoseconds = min(max(timeoutNanoseconds / 8, 1), TimeAmount(Self.longestInterval).nanoseconds)
        quietSweepsAllowed = Int((timeoutNanoseconds + intervalNanoseconds - 1) / intervalNanoseconds)
    }
}

/// One connection's count of quiet sweeps: the sweeps in a row that found its byte counts where the
/// sweep before left them. Pure.
struct IdleCount: Equatable {
    private var quietSweeps = 0
    /// Bytes either way at the last sweep; -1 before the first, so that the first sweep starts the
    /// count as a byte would (the connection may have started just before it).
    private var bytesAtLastSweep = -1

    /// A sweep saw `bytes` moved either way in all: returns the quiet sweeps in a row, this one included.
    mutating func swept(bytes: Int) -> Int {
        if bytes == bytesAtLastSweep {
            quietSweeps += 1
        } else {
            quietSweeps = 0
            bytesAtLastSweep = bytes
        }
        return quietSweeps
    }
}
