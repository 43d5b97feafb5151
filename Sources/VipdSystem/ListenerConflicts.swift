#if canImport(Glibc)
import Glibc
#endif
import VipdConfig

/// What `vipd run` and `vipd doctor` ask before binding: does anything else already listen there?
public enum ListenerConflicts {
    /// The sockets of this network namespace that stand in the way of binding `wanted`, each naming its
    /// owner (pid and program) and the fix; sockets of `excludedPIDs` (by default this process) are ignored.
    /// - Throws: `SystemCallError` or `ProcNetTCP.ParseError` when `/proc/net/tcp` cannot be read.
    public static func find(wanted: [SocketEndpoint], excludedPIDs: Set<Int32> = [getpid()]) throws -> [ListenerConflict] {
        guard !wanted.isEmpty else { return [] }
        let listening = try ListeningSockets.current(ports: Set(wanted.map(\.port)))
        return ListenerConflictAnalysis.conflicts(wanted: wanted, listening: listening, excludedPIDs: excludedPIDs)
    }
}
