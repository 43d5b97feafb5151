import VipdCore

/// JSON lines for scripts: one object per event, and one summary object at the end.
public enum JSONReport {
    /// The JSON object for `event`.
    public static func object(for event: MonitorEvent, state: MonitorState) -> JSONValue {
        switch event {
        case .groupDiscovered(let key, let at):
            var members: [(String, JSONValue)] = [("event", .string("group")), ("time", .string(at.isoText))]
            members.append(("group", group(key)))
            if let advertisers = state.groups[key]?.advertisers.values.sorted(by: { $0.address < $1.address }) {
                members.append(("advertisers", .array(advertisers.map { advertiser($0, at: at, state: state) })))
            }
            return .object(members)
        case .masterChanged(let key, let from, let to, let at):
            return .object(
                [
                    ("event", .string("master")), ("time", .string(at.isoText)), ("group", group(key)),
                    ("from", from.map { .string($0.description) } ?? .null), ("to", .string(to.description)),
                ])
        case .findingOnset(let finding):
            return .object([("event", .string("finding")), ("time", .string(finding.since.isoText))] + members(of: finding))
        case .findingCleared(let finding, let at):
            return .object(
                [("event", .string("cleared")), ("time", .string(at.isoText))] + members(of: finding)
                    + [("duration_seconds", .number(seconds(at - finding.since)))])
        }
    }

    /// The members describing `finding`.
    public static func members(of finding: Finding) -> [(String, JSONValue)] {
        [
            ("kind", .string(finding.kind.rawValue)), ("severity", .string(finding.severity.rawValue)),
            ("group", finding.group.map { group($0) } ?? .null), ("subject", .string(finding.subject)),
            ("since", .string(finding.since.isoText)), ("summary", .string(finding.summary)),
            ("evidence", .array(finding.evidence.map { .string($0) })), ("fix", .string(finding.fix)),
        ]
    }

    /// `{"interface": "eth0", "family": "ipv4", "vrid": 51}`.
    static func group(_ key: GroupKey) -> JSONValue {
        .object([
            ("interface", .string(key.interface)), ("family", .string(key.family == .v4 ? "ipv4" : "ipv6")),
            ("vrid", .integer(Int(key.virtualRouterID))),
        ])
    }

    /// One advertiser as the wire shows it at `now`.
    static func advertiser(_ advertiser: AdvertiserState, at now: MonitorInstant, state: MonitorState) -> JSONValue {
        .object([
            ("address", .string(advertiser.address.description)),
            ("name", state.settings.nodeNames[advertiser.address].map { .string($0) } ?? .null),
            ("mac", advertiser.mac.map { .string($0.description) } ?? .null),
            ("version", .integer(advertiser.version.rawValue)), ("priority", .integer(Int(advertiser.priority))),
            ("interval_seconds", .number(seconds(advertiser.interval))),
            ("vips", .array(advertiser.virtualAddresses.map { .string($0.description) })),
            ("multicast", .bool(advertiser.multicasts)), ("ttl", .integer(advertiser.hopLimit)),
            ("advertisements", .integer(advertiser.advertisementCount)),
            ("master", .bool(advertiser.isActiveMaster(at: now))), ("last_seen", .string(advertiser.lastSeen.isoText)),
        ])
    }

    /// A duration in seconds, to the millisecond.
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds / 1_000_000_000_000_000) / 1000
    }
}
