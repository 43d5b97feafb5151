#if canImport(Glibc)
import Glibc
#endif

/// Each proxied connection holds two file descriptors; like haproxy, the daemon raises its soft
/// open-file limit to the hard limit at start.
public enum OpenFileLimit {
    /// Raises the soft RLIMIT_NOFILE to the hard limit; returns the limit in force afterwards.
    @discardableResult
    public static func raiseToHardLimit() -> UInt64 {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 0 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { return UInt64(raised.rlim_cur) }
        }
        return UInt64(limit.rlim_cur)
    }
}
