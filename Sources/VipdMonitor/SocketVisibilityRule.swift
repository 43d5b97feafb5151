import VipdCore

extension MonitorState {
    /// In the daemon: peers' advertisements that the capture sees on the wire but that never
    /// reach vipd's VRRP socket are dropped by this node itself, between the wire and the socket.
    func socketVisibilityFindings(at now: MonitorInstant) -> [Finding] {
        socketVisibility.compactMap { socket, visibility -> Finding? in
            guard let since = visibility.thresholdReachedAt, let first = visibility.firstUnseenAt,
                let peer = visibility.latestPeer, let group = visibility.latestGroup
            else { return nil }
            return Finding(
                kind: .oneSidedVisibility, group: group, subject: "\(socket.interface) \(socket.family)", since: since,
                summary: "ONE-SIDED VISIBILITY on \(group): advertisements from \(settings.label(peer)) reach this node's "
                    + "\(socket.interface) (the capture saw \(visibility.unseenPeerAdverts) in "
                    + "\((now - first).secondsText)) but none reached vipd's VRRP socket: a firewall on this node drops "
                    + "IP protocol 112",
                evidence: [
                    "VRRP socket receive counter unchanged at \(visibility.socketTotal) since \(visibility.socketMovedAt.timeOfDayText)"
                ],
                fix: firewallFix(on: "this node"), firewallSuspect: .thisNode)
        }
    }
}
