import VipdVRRPPacket

extension MonitorState {
    /// Advertisements that receivers drop although they look fine to the sender: multicast with a
    /// TTL other than 255 (`VRRPHopLimitRule`; unicast may be routed), a bad checksum; and receivers
    /// that say so with ICMP.
    func packetHealthFindings(at now: MonitorInstant) -> [Finding] {
        var findings: [Finding] = []
        for group in groups.values {
            for sender in group.advertisers.values.sorted(by: { $0.address < $1.address }) {
                if !VRRPHopLimitRule.accepts(hopLimit: sender.hopLimit, unicastFromPeer: !sender.multicasts),
                    sender.isRecent(at: now)
                {
                    findings.append(
                        Finding(
                            kind: .wrongTTL, group: group.key, subject: sender.address.description, since: sender.lastSeen,
                            summary: "WRONG TTL on \(group.key): multicast advertisements from \(settings.label(sender.address)) "
                                + "arrive with TTL \(sender.hopLimit), not 255, so every VRRP router drops them",
                            evidence: ["latest advertisement at \(sender.lastSeen.timeOfDayText), TTL \(sender.hopLimit)"],
                            fix: "keep the VRRP routers on one layer-2 segment (multicast advertisements must not be routed; "
                                + "nodes on different subnets need `unicast`), and check that nothing rewrites the TTL on the way"))
                }
                if let last = sender.lastBadChecksum, now - last <= settings.findingHoldTime {
                    findings.append(
                        Finding(
                            kind: .badChecksum, group: group.key, subject: sender.address.description, since: last,
                            summary: "BAD CHECKSUM on \(group.key): \(sender.badChecksumCount) of "
                                + "\(sender.advertisementCount) advertisements from \(settings.label(sender.address)) "
                                + "had a wrong VRRP checksum; receivers drop them",
                            evidence: ["latest at \(last.timeOfDayText)"],
                            fix: "check the sender's VRRP implementation and version (keepalived: `old_unicast_checksum` "
                                + "must match on every node), and checksum offload on its network card"))
                }
            }
        }
        for record in rejections.values.sorted(by: { $0.first < $1.first }) {
            let reporter = settings.label(record.rejection.reporter)
            findings.append(
                Finding(
                    kind: .vrrpRejected, group: nil,
                    subject: "\(record.rejection.reporter)/\(record.rejection.rejectedSender)", since: record.first,
                    summary: "VRRP REJECTED: \(reporter) answers \(settings.label(record.rejection.rejectedSender))'s "
                        + "advertisements with ICMP \(record.rejection.reason) (\(record.count)×): nothing on \(reporter) "
                        + "accepts IP protocol 112 — a firewall rejects it, or no VRRP router runs there",
                    evidence: ["latest at \(record.last.timeOfDayText), to \(record.rejection.rejectedDestination)"],
                    fix: firewallFix(on: reporter) + ", and check that vipd or keepalived runs on \(reporter)",
                    firewallSuspect: .host(record.rejection.reporter)))
        }
        return findings
    }
}
