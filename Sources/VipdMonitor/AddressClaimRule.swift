import VipdCore

extension MonitorState {
    /// A VIP answered by two MACs at once: ARP replies, gratuitous ARP or neighbour advertisements
    /// from both, interleaved. When the two MACs are the masters of a split brain, the split-brain
    /// finding already carries this as evidence and it is not reported twice, nor again after it
    /// ended for the claims made during it.
    func addressClaimFindings(at now: MonitorInstant) -> [Finding] {
        let vipGroups = virtualAddressGroups
        return claims.values.compactMap { claimed -> Finding? in
            guard let groupKeys = vipGroups[claimed.address] else { return nil }
            let splitBrainEnded = groupKeys.compactMap { groups[$0]?.lastConflictEnded }.max()
            let macs = claimed.concurrentMACs(overlap: .milliseconds(500), after: splitBrainEnded)
            guard macs.count > 1 else { return nil }
            if isExplainedBySplitBrain(macs: macs, groups: groupKeys) { return nil }
            let owners = macOwners(on: claimed.interface)
            let evidence = macs.map { mac in
                let record = claimed.byMAC[mac]!
                let owner = owners[mac].map { "the VRRP router \(settings.label($0))" } ?? "not a VRRP router seen here"
                let kinds = record.kinds.map(\.rawValue).sorted().joined(separator: ", ")
                return "\(mac) (\(owner)): \(record.count)× \(kinds), \(record.first.timeOfDayText)–\(record.last.timeOfDayText)"
            }
            let strangers = macs.filter { owners[$0] == nil }
            let fix = strangers.isEmpty
                ? "find out why both routers hold \(claimed.address) (`ip -o addr show` on each); only the master may"
                : "remove \(claimed.address) from the host with MAC \(strangers.map(\.description).joined(separator: ", ")) "
                    + "(`ip addr del \(claimed.address)/PREFIX dev IF` there, and from its network configuration)"
            return Finding(
                kind: .addressAnsweredByTwoMACs, group: nil,
                subject: "\(claimed.interface) \(claimed.address)",
                since: macs.map { claimed.byMAC[$0]!.first }.max()!,
                summary: "VIP ANSWERED BY \(macs.count) MACS on \(claimed.interface): \(claimed.address) is claimed by "
                    + macs.map(\.description).joined(separator: " and ") + " at the same time; clients reach either",
                evidence: evidence, fix: fix)
        }
    }

    /// The MACs of the VRRP routers seen on `interface`, with their addresses.
    private func macOwners(on interface: String) -> [MACAddress: IPAddress] {
        var owners: [MACAddress: IPAddress] = [:]
        for group in groups.values where group.key.interface == interface {
            for sender in group.advertisers.values { if let mac = sender.mac { owners[mac] = sender.address } }
        }
        return owners
    }

    private func isExplainedBySplitBrain(macs: [MACAddress], groups keys: [GroupKey]) -> Bool {
        keys.contains { key in
            guard let group = groups[key] else { return false }
            return group.conflicts.values.contains { conflict in
                let masterMACs = Set([conflict.winner, conflict.loser].compactMap { group.advertisers[$0]?.mac })
                return Set(macs).isSubset(of: masterMACs)
            }
        }
    }
}
