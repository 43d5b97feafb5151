import VipdCore
import VipdVRRPPacket

extension MonitorState {
    /// Split brain: two masters of one group at once, with the most likely reason the loser does
    /// not hear the winner, read from the rest of the evidence.
    func splitBrainFindings(at now: MonitorInstant) -> [Finding] {
        groups.values.flatMap { group in
            group.conflicts.values.compactMap { conflict -> Finding? in
                guard let winner = group.advertisers[conflict.winner], let loser = group.advertisers[conflict.loser] else {
                    return nil
                }
                let overlap = now - Swift.max(winner.runStart, loser.runStart)
                let cause = splitBrainCause(winner: winner, loser: loser)
                var evidence = [
                    "\(settings.label(winner.address)) has advertised as master every \(winner.interval.secondsText) without a gap since \(winner.runStart.timeOfDayText)",
                    "\(settings.label(loser.address)) advertises as master since \(loser.runStart.timeOfDayText), "
                        + (conflict.evidence.describedBy(loserLabel: settings.label(loser.address))),
                ]
                evidence += doubleAnswers(for: group, macs: [winner.mac, loser.mac].compactMap { $0 })
                return Finding(
                    kind: .splitBrain, group: group.key, subject: "\(winner.address)/\(loser.address)",
                    since: conflict.since,
                    summary: "SPLIT BRAIN on \(group.key): \(settings.label(winner.address)) (prio \(winner.priority)) and "
                        + "\(settings.label(loser.address)) (prio \(loser.priority)) have both advertised as master "
                        + (overlap >= .seconds(1) ? "for \(overlap.secondsText)" : "since \(conflict.since.timeOfDayText)")
                        + "; \(cause.explanation)",
                    evidence: evidence + cause.evidence, fix: cause.fix, firewallSuspect: cause.suspect)
            }
        }
    }

    /// The VIPs of `group` that the masters' MACs both answer for, as evidence lines.
    private func doubleAnswers(for group: GroupState, macs: [MACAddress]) -> [String] {
        claims.values.filter { claimed in
            claimed.interface == group.key.interface
                && group.advertisers.values.contains { $0.virtualAddresses.contains(claimed.address) }
                && macs.allSatisfy { claimed.byMAC[$0] != nil } && macs.count > 1
        }.map { claimed in
            "both answer for \(claimed.address): " + macs.map { "\($0) (\(claimed.byMAC[$0]!.count)×)" }.joined(separator: " and ")
        }.sorted()
    }

    /// Why `loser` does not hear `winner`, most specific reason first.
    private func splitBrainCause(
        winner: AdvertiserState, loser: AdvertiserState
    ) -> (explanation: String, evidence: [String], fix: String, suspect: FirewallSuspect?) {
        let loserLabel = settings.label(loser.address)
        let winnerLabel = settings.label(winner.address)
        if winner.version != loser.version {
            return (
                "\(loserLabel) speaks \(loser.version) and \(winnerLabel) \(winner.version): neither accepts the other's advertisements",
                [], "set the same VRRP version on every node (vipd: `version:`; keepalived: `vrrp_version`)", nil
            )
        }
        if winner.version == .v2 && winner.authentication != loser.authentication {
            return (
                "\(loserLabel) drops \(winnerLabel)'s advertisements because their VRRPv2 authentication differs",
                ["\(winnerLabel): \(winner.authentication.wording); \(loserLabel): \(loser.authentication.wording)"],
                "set the same password on both (vipd: `authentication.password`; keepalived: `auth_pass`), or none on both", nil
            )
        }
        if winner.version == .v2 && winner.interval != loser.interval {
            return (
                "\(loserLabel) drops \(winnerLabel)'s advertisements because their intervals differ "
                    + "(\(winner.interval.secondsText) and \(loser.interval.secondsText)), as VRRPv2 requires",
                [], "set the same advertisement interval on both (vipd: `advert_interval`; keepalived: `advert_int`)", nil
            )
        }
        if !VRRPHopLimitRule.accepts(hopLimit: winner.hopLimit, unicastFromPeer: !winner.multicasts) {
            return (
                "\(winnerLabel)'s multicast advertisements arrive with TTL \(winner.hopLimit), and VRRP routers drop anything but 255",
                [], "put the nodes on one layer-2 segment (multicast VRRP must not cross a router), or use `unicast` between them", nil
            )
        }
        if !winner.multicasts && winner.destination != loser.address {
            return (
                "\(winnerLabel) sends its advertisements unicast to \(winner.destination), not to \(loserLabel)",
                [], "list \(loser.address) among \(winner.address)'s unicast peers (keepalived: `unicast_peer`), or use multicast on both", nil
            )
        }
        if let record = rejections[RejectionKey(reporter: loser.address, sender: winner.address)] {
            return (
                "\(loserLabel) rejects \(winnerLabel)'s advertisements (ICMP \(record.rejection.reason), \(record.count)×): "
                    + "a firewall on \(loserLabel) rejects IP protocol 112",
                [], firewallFix(on: loserLabel), .host(loser.address)
            )
        }
        return (
            "\(loserLabel) never hears \(winnerLabel) — a firewall on \(loserLabel) drops IP protocol 112",
            [], firewallFix(on: loserLabel), .host(loser.address)
        )
    }
}

extension MasterConflict.Evidence {
    /// What the wire showed, as the end of a sentence about the loser.
    func describedBy(loserLabel: String) -> String {
        switch self {
        case .tookOverFromLiveMaster(let duration):
            "taking over although the other had advertised without a gap for \(duration.secondsText)"
        case .didNotYield:
            "and kept advertising after the higher-ranked master appeared instead of becoming backup"
        }
    }
}

extension VRRPAuthentication {
    /// The authentication in words, without the password itself: a short fingerprint
    /// (FNV-1a, 16 bits) tells two passwords apart without putting either in a log.
    var wording: String {
        switch self {
        case .none:
            return "no authentication"
        case .simplePassword(let password):
            var hash: UInt32 = 2_166_136_261
            for byte in password { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
            let fingerprint = String((hash >> 16) ^ (hash & 0xFFFF), radix: 16)
            return "password (PASS) with fingerprint \(String(repeating: "0", count: 4 - fingerprint.count))\(fingerprint)"
        }
    }
}
