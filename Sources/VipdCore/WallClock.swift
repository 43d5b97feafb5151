#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The wall clock (CLOCK_REALTIME): the clock libpcap stamps live packets with, and the one reports
/// give times of day in. Unlike `ContinuousClock`, it moves when the system's time is set.
public enum WallClock {
    /// The time since the Unix epoch now.
    public static func sinceEpoch() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
