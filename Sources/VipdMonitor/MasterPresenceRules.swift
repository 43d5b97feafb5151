import VipdCore
import VipdVRRPPacket

extension MonitorState {
    /// Whether each group has one steady master: none at all, one leaving, or one that keeps changing.
    func masterPresenceFindings(at now: MonitorInstant) -> [Finding] {
        var findings: [Finding] = []
        for group in groups.values {
            if let finding = noMaster(in: group, at: now) { findings.append(finding) }
            if group.masterChanges.count > settings.flappingChanges {
                findings.append(
                    Finding(
                        kind: .flapping, group: group.key, subject: "", since: group.masterChanges[settings.flappingChanges],
                        summary: "FLAPPING on \(group.key): the master changed \(group.masterChanges.count) times within "
                            + "\(settings.flappingWindow.secondsText)",
                        evidence: ["changes at " + group.masterChanges.map(\.timeOfDayText).joined(separator: ", ")],
                        fix: "look for what makes the master give up: link state (`ip monitor link`), tracked checks "
                            + "and scripts flapping, or lost advertisements; a `preempt_delay` calms preemption"))
            }
            findings += departures(in: group, at: now)
        }
        for expected in settings.expectedGroups where groups[expected.key] == nil {
            let wait = MonitorTimers.longestMasterDownInterval(version: expected.version, interval: expected.interval)
            guard now - startedAt >= wait else { continue }
            findings.append(
                Finding(
                    kind: .noMaster, group: expected.key, subject: "", since: startedAt + wait,
                    summary: "NO MASTER on \(expected.key) (\(expected.name)): no advertisement at all since "
                        + "\(startedAt.timeOfDayText); VIPs \(expected.virtualAddresses.map(\.description).joined(separator: ", ")) "
                        + "have no owner",
                    evidence: ["expected \(expected.version) every \(expected.interval.secondsText) from the configuration"],
                    fix: noMasterFix(expected.key)))
        }
        return findings
    }

    private func noMaster(in group: GroupState, at now: MonitorInstant) -> Finding? {
        guard group.activeMasters(at: now).isEmpty else { return nil }
        let latest = group.advertisers.values.max { ($0.lastMasterAdvert ?? $0.lastSeen) < ($1.lastMasterAdvert ?? $1.lastSeen) }!
        let silentFrom = latest.lastMasterAdvert ?? latest.lastSeen
        let wait = MonitorTimers.longestMasterDownInterval(version: latest.version, interval: latest.interval)
        guard now - silentFrom >= wait else { return nil }
        return Finding(
            kind: .noMaster, group: group.key, subject: "", since: silentFrom + wait,
            summary: "NO MASTER on \(group.key): no advertisement as master for \((now - silentFrom).secondsText) "
                + "(the last from \(settings.label(latest.address)) at \(silentFrom.timeOfDayText)); "
                + "VIPs \(latest.virtualAddresses.map(\.description).joined(separator: ", ")) have no owner",
            evidence: ["a backup of any priority takes over within \(wait.secondsText) of the master's last advertisement"],
            fix: noMasterFix(group.key))
    }

    private func noMasterFix(_ key: GroupKey) -> String {
        "check that vipd (or keepalived) runs on the nodes and that their \(key.interface) is up and in the same "
            + "layer-2 segment as this capture; `vipd doctor` on each node"
    }

    /// Masters that sent priority 0 and whose place nobody has taken yet.
    private func departures(in group: GroupState, at now: MonitorInstant) -> [Finding] {
        group.advertisers.values.compactMap { sender -> Finding? in
            guard let departed = sender.departedAt, departed >= (sender.lastMasterAdvert ?? departed),
                now - departed <= settings.findingHoldTime,
                !group.advertisers.values.contains(where: { ($0.lastMasterAdvert ?? departed) > departed })
            else { return nil }
            return Finding(
                kind: .masterLeaving, group: group.key, subject: sender.address.description, since: departed,
                summary: "MASTER LEAVING on \(group.key): \(settings.label(sender.address)) sent priority 0 at "
                    + "\(departed.timeOfDayText), giving up the master role (a stop or a planned handover); "
                    + "a backup takes over within its skew time",
                evidence: [], fix: "nothing, if the stop was planned; otherwise see why vipd or keepalived stopped there")
        }
    }
}
