#if canImport(Glibc)
import Glibc
#endif
import VipdCore

/// What `vipd run` and `vipd doctor` ask before binding: does anything else already listen there?
public enum ListenerConflicts {
    /// The sockets of this network namespace that stand in the way of binding `wanted`, each naming its
    /// owner (pid and program, or sshd's socket unit such as `ssh.socket`) and the fix; sockets of
    /// `excludedPIDs` (by default this process) are ignored.
    /// - Parameter sshd: how sshd listens; read from this host (`SSHDActivation.facts`) when nil and
    ///   systemd holds one of the sockets.
    /// - Throws: `SystemCallError` or `ProcNetTCP.ParseError` when `/proc/net/tcp` cannot be read.
    public static func find(
        wanted: [SocketEndpoint], excludedPIDs: Set<Int32> = [getpid()], sshd: SSHDActivation? = nil
    ) throws -> [ListenerConflict] {
        guard !wanted.isEmpty else { return [] }
        let listening = try ListeningSockets.current(ports: Set(wanted.map(\.port)))
        let systemdHolds = listening.contains { socket in
            guard case .known(let owners) = socket.owners else { return false }
            return owners.contains { $0.program == "systemd" }
        }
        let activation = sshd ?? (systemdHolds ? SSHDActivation(SSHDActivation.facts(listening: listening)) : .daemon)
        return ListenerConflictAnalysis.conflicts(wanted: wanted, listening: listening, excludedPIDs: excludedPIDs, sshd: activation)
    }
}
