import VipdCore

/// A socket that already listens where vipd wants to bind, named with its owner and the fix.
///
/// Its description is the sentence to log or print, e.g.
/// `0.0.0.0:22 is held by sshd (pid 812), so vipd cannot bind 10.251.1.100:22; fix: vipd sshd-snippet --write, then systemctl restart ssh (sshd on RHEL)`.
public struct ListenerConflict: Sendable, Hashable, CustomStringConvertible {
    /// How sure the conflict is.
    public enum Certainty: Sendable, Hashable {
        /// The kernel refuses the bind (wildcard of the same family, or the same address).
        case certain
        /// An IPv6 wildcard and an IPv4 address overlap unless the IPv6 socket is IPv6-only
        /// (`IPV6_V6ONLY`), which /proc/net does not show.
        case unlessIPv6Only
    }

    /// The endpoint vipd wants to bind.
    public let wanted: SocketEndpoint
    /// The socket in the way.
    public let holder: ListeningSocket
    public let certainty: Certainty
    /// How sshd listens on this host: names the socket unit behind a port-22 socket systemd holds
    /// (`ssh.socket`) and gives the commands of the fix.
    public let sshd: SSHDActivation

    public init(wanted: SocketEndpoint, holder: ListeningSocket, certainty: Certainty, sshd: SSHDActivation = .daemon) {
        self.wanted = wanted
        self.holder = holder
        self.certainty = certainty
        self.sshd = sshd
    }

    /// sshd's socket unit when it is what holds the socket: systemd on port 22 (with the sshd it
    /// started, which inherits the socket, if a connection came) while sshd is socket-activated.
    /// An sshd holding port 22 without systemd listens by itself, whatever units are installed.
    public var sshdSocketUnit: String? {
        guard holder.local.port == 22, let unit = sshd.unitName, case .known(let owners) = holder.owners,
            owners.contains(where: { $0.program == "systemd" })
        else { return nil }
        return unit
    }

    /// Who holds the socket, in words: `sshd (pid 812)`, `ssh.socket (systemd (pid 1))`, or that only root can tell.
    public var ownerText: String {
        switch holder.owners {
        case .known(let owners):
            let processes = owners.map(\.description).joined(separator: " and ")
            return sshdSocketUnit.map { "\($0) (\(processes))" } ?? processes
        case .unknown(let reason): return "a process vipd could not name (\(reason))"
        }
    }

    /// What to do about it, chosen by the holder's program.
    public var fix: String {
        guard case .known(let owners) = holder.owners, let first = owners.first else {
            return "find the process with ss -ltnp 'sport = :\(holder.local.port)' as root, then stop it or make it listen elsewhere"
        }
        let programs = owners.map(\.program)
        if let unit = sshdSocketUnit {
            return "\(unit) listens there for sshd (systemd socket activation): vipd sshd-snippet --write, then \(sshd.applyInOneLine)"
        }
        if programs.contains(where: { $0.hasPrefix("sshd") }) {
            return "vipd sshd-snippet --write, then \(SSHDActivation.daemon.applyInOneLine)"
        }
        if programs.contains("haproxy") {
            return "vipd replaces haproxy: systemctl disable --now haproxy"
        }
        if programs.contains("vipd") {
            return "another vipd already listens there; stop it first (systemctl stop vipd)"
        }
        if programs.contains("systemd") {
            return "a systemd socket unit holds it (systemctl list-sockets names it, e.g. ssh.socket on Ubuntu); "
                + "change its ListenStream= to this host's own address or stop it"
        }
        return "stop \(first.program) or make it listen on another address than \(holder.local)"
    }

    public var description: String {
        switch certainty {
        case .certain:
            return "\(holder.local) is held by \(ownerText), so vipd cannot bind \(wanted); fix: \(fix)"
        case .unlessIPv6Only:
            return "\(holder.local) is held by \(ownerText), and an IPv6 wildcard also covers IPv4 unless the socket is "
                + "IPv6-only, so vipd may not be able to bind \(wanted); fix: \(fix)"
        }
    }
}
