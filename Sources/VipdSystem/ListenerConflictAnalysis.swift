import VipdCore

/// Which listening sockets stand in the way of the endpoints vipd wants to bind (pure).
public enum ListenerConflictAnalysis {
    /// The conflicts, in the order of `wanted`, then of `listening`.
    ///
    /// A socket on the same port conflicts when it is the wildcard of the wanted family (`0.0.0.0`, `::`),
    /// the exact address (also as an IPv4-mapped `::ffff:a.b.c.d`), or anything of the family when vipd
    /// wants the wildcard; an IPv6 wildcard and IPv4 overlap unless the IPv6 socket is IPv6-only, so
    /// those are reported as `unlessIPv6Only`. Sockets held by a pid in `excludedPIDs` (vipd itself) are skipped.
    /// `sshd` is how sshd listens on this host, for the holder's name and the fix.
    public static func conflicts(
        wanted: [SocketEndpoint], listening: [ListeningSocket], excludedPIDs: Set<Int32>, sshd: SSHDActivation = .daemon
    ) -> [ListenerConflict] {
        let others = listening.filter { socket in
            guard case .known(let owners) = socket.owners else { return true }
            return !owners.contains { excludedPIDs.contains($0.pid) }
        }
        return wanted.flatMap { endpoint in
            others.compactMap { socket in
                guard socket.local.port == endpoint.port,
                    let certainty = overlap(wanted: endpoint.address, held: socket.local.address)
                else { return nil }
                return ListenerConflict(wanted: endpoint, holder: socket, certainty: certainty, sshd: sshd)
            }
        }
    }

    /// How a bind of `wanted` collides with a listener on `held` (same port), or nil when it does not.
    static func overlap(wanted: IPAddress, held: IPAddress) -> ListenerConflict.Certainty? {
        let held = unmapped(held)
        if wanted.family == held.family {
            return wanted.isWildcard || held.isWildcard || wanted == held ? .certain : nil
        }
        let v6Side = wanted.family == .v6 ? wanted : held
        return v6Side.isWildcard ? .unlessIPv6Only : nil
    }

    /// `::ffff:a.b.c.d` as the IPv4 address it stands for; other addresses unchanged.
    static func unmapped(_ address: IPAddress) -> IPAddress {
        guard address.family == .v6, address.bytes[0..<10].allSatisfy({ $0 == 0 }),
            address.bytes[10] == 0xff, address.bytes[11] == 0xff
        else { return address }
        return IPAddress(bytes: address.bytes[12...])!
    }
}
