import VipdCore
import VipdVRRPPacket

/// The protocol's derived timer values (RFC 3768 / RFC 5798 section 6.1), as pure functions.
///
/// VRRPv2 works in seconds: `Skew_Time = (256 - Priority) / 256` s, exact to the nanosecond.
/// VRRPv3 works in centiseconds with integer division, as the RFC writes it:
/// `Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256` cs. In both versions
/// `Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time`.
public enum VRRPTimers {
    /// How much longer a backup of `priority` waits than the master's silence alone would require,
    /// so that the highest-priority backup takes over first.
    ///
    /// - Parameter masterAdvertisementInterval: only used by VRRPv3 (VRRPv2's skew is in seconds);
    ///   truncated to whole centiseconds as VRRPv3 carries it.
    public static func skewTime(
        version: VRRPVersion, priority: UInt8, masterAdvertisementInterval: Duration
    ) -> Duration {
        let weight = Int64(256 - Int(priority))
        switch version {
        case .v2:
            // 1 s / 256 is exactly 3_906_250 ns.
            return .nanoseconds(weight * 3_906_250)
        case .v3:
            return .centiseconds(weight * masterAdvertisementInterval.wholeCentiseconds / 256)
        }
    }

    /// How long a backup of `priority` waits without an advertisement before it declares the master
    /// down: `3 * Master_Adver_Interval + Skew_Time` (VRRPv3 in whole centiseconds).
    public static func masterDownInterval(
        version: VRRPVersion, priority: UInt8, masterAdvertisementInterval: Duration
    ) -> Duration {
        let skew = skewTime(
            version: version, priority: priority, masterAdvertisementInterval: masterAdvertisementInterval)
        switch version {
        case .v2:
            return masterAdvertisementInterval * 3 + skew
        case .v3:
            return .centiseconds(3 * masterAdvertisementInterval.wholeCentiseconds) + skew
        }
    }
}
