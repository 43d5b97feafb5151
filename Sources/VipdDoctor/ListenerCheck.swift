import VipdConfig
import VipdSystem

/// "Each listener's address and port are free": nothing but a running vipd listens where the
/// proxy binds (sshd on 0.0.0.0:22 is the classic culprit). The sockets come from VipdSystem's
/// `/proc/net` reading; the verdict per listener is pure.
public enum ListenerCheck {
    /// Reads this namespace's listening sockets and judges every listener; `sshd` (how sshd listens
    /// here) names `ssh.socket` as the holder of port 22 when systemd holds it for sshd.
    public static func results(config: VipdConfiguration, sshd: SSHDActivation) -> [DoctorCheckResult] {
        guard !config.listeners.isEmpty else { return [] }
        do {
            let conflicts = try ListenerConflicts.find(wanted: config.listeners.map(\.bind), sshd: sshd)
            return config.listeners.map { result(for: $0, conflicts: conflicts) }
        } catch {
            return [DoctorCheckResult(.warn, "listener addresses are free", detail: "cannot read the listening sockets: \(error)")]
        }
    }

    /// The line for one listener given every conflict found. Pure.
    public static func result(for listener: ListenerConfig, conflicts: [ListenerConflict]) -> DoctorCheckResult {
        let title = "\(listener.bind) is free for listener \(listener.name)"
        let mine = conflicts.filter { $0.wanted == listener.bind }
        let others = mine.filter { !isVipd($0) }
        if let certain = others.first(where: { $0.certainty == .certain }) {
            return DoctorCheckResult(
                .fail, title, detail: "\(certain.holder.local) is held by \(certain.ownerText)", fix: certain.fix)
        }
        if let possible = others.first {
            return DoctorCheckResult(
                .warn, title,
                detail: "\(possible.holder.local) is held by \(possible.ownerText); an IPv6 wildcard also covers IPv4 unless it is IPv6-only",
                fix: possible.fix)
        }
        if let running = mine.first {
            return DoctorCheckResult(.pass, title, detail: "held by the running vipd: \(running.ownerText)")
        }
        return DoctorCheckResult(.pass, title)
    }

    private static func isVipd(_ conflict: ListenerConflict) -> Bool {
        guard case .known(let owners) = conflict.holder.owners else { return false }
        return owners.allSatisfy { $0.program == "vipd" }
    }
}
