import VipdVRRP
import VipdVRRPPacket

/// The protocol timers as the monitor applies them to what it sees.
enum MonitorTimers {
    /// How long `backup` waits without hearing `master` before it takes over: its own priority's
    /// skew on top of three of the master's intervals (the interval VRRPv3 backups adopt; VRRPv2
    /// routers share one interval).
    static func masterDownInterval(of backup: AdvertiserState, hearing master: AdvertiserState) -> Duration {
        VRRPTimers.masterDownInterval(
            version: backup.version, priority: Swift.max(backup.priority, 1),
            masterAdvertisementInterval: backup.version == .v3 ? master.interval : backup.interval)
    }

    /// The longest any backup of a group whose master advertised every `interval` waits: priority 1's.
    static func longestMasterDownInterval(version: VRRPVersion, interval: Duration) -> Duration {
        VRRPTimers.masterDownInterval(version: version, priority: 1, masterAdvertisementInterval: interval)
    }
}
