#if canImport(Glibc)
import Glibc
#endif
import VipdMonitor

extension MonitorInstant {
    /// The wall clock now (CLOCK_REALTIME), the clock libpcap stamps live packets with.
    public static func now() -> MonitorInstant {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        return MonitorInstant(sinceEpoch: .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec))
    }
}
