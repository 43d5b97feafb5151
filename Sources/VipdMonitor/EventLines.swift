import VipdCore

/// Plain text for events, one headline per event (greppable), followed by indented evidence and fix lines for findings.
public enum EventLines {
    /// The lines for `event`, with groups described from `state`.
    public static func lines(for event: MonitorEvent, state: MonitorState) -> [String] {
        let time = event.time.isoText
        switch event {
        case .groupDiscovered(let key, _):
            return ["\(time) \(key): \(describe(group: key, in: state))"]
        case .masterChanged(let key, let from, let to, _):
            let labels = state.settings
            let change = from.map { "master \(labels.label($0)) -> \(labels.label(to))" } ?? "master is \(labels.label(to))"
            return ["\(time) \(key): \(change)"]
        case .findingOnset(let finding):
            return ["\(time) \(finding.severity.rawValue.uppercased()) \(finding.summary)"]
                + finding.evidence.map { "    evidence: \($0)" } + ["    fix: \(finding.fix)"]
        case .findingCleared(let finding, let at):
            let place = finding.group.map { " on \($0)" } ?? ""
            let subject = finding.subject.isEmpty ? "" : " (\(finding.subject))"
            return ["\(time) CLEARED \(finding.kind.rawValue)\(place)\(subject) after \((at - finding.since).secondsText)"]
        }
    }

    /// "new group: VRRPv3 from 10.0.0.1 (ha0) prio 150 every 1 s, VIPs 10.0.0.100".
    static func describe(group key: GroupKey, in state: MonitorState) -> String {
        guard let group = state.groups[key], let first = group.advertisers.values.min(by: { $0.firstSeen < $1.firstSeen })
        else { return "new group" }
        return "new group: \(first.version) from \(state.settings.label(first.address)) prio \(first.priority) every "
            + "\(first.interval.secondsText), VIPs \(first.virtualAddresses.map(\.description).joined(separator: ", "))"
    }
}
