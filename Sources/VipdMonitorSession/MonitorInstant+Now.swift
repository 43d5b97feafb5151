import VipdCore
import VipdMonitor

extension MonitorInstant {
    /// The wall clock now, the clock libpcap stamps live packets with.
    public static func now() -> MonitorInstant {
        MonitorInstant(sinceEpoch: WallClock.sinceEpoch())
    }
}
