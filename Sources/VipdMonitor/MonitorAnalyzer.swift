
/// The monitor's brain: takes in decoded packets with their capture times, keeps what the wire
/// shows about each VRRP group, and reports findings when they begin and when they end.
///
/// Pure and clock-free: every call carries the time it is about. A live monitor passes packet
/// timestamps and calls `advance(to:)` with the wall clock a few times a second; a capture file
/// passes its packet timestamps alone.
public struct MonitorAnalyzer: Sendable {
    /// What the wire has shown so far.
    public private(set) var state: MonitorState
    public private(set) var statistics = MonitorStatistics()
    /// Findings in force now, by key.
    public private(set) var activeFindings: [Finding.Key: Finding] = [:]
    /// Every finding that began, in order, with when it ended (nil while it lasts).
    public private(set) var history: [(finding: Finding, clearedAt: MonitorInstant?)] = []
    private var lastEvaluation: MonitorInstant?
    /// The latest time the analyzer has been given; callers keep time from running backwards with it.
    public private(set) var latestTime: MonitorInstant

    /// An analyzer that starts watching at `startedAt`.
    public init(settings: MonitorSettings = MonitorSettings(), startedAt: MonitorInstant) {
        state = MonitorState(settings: settings, startedAt: startedAt)
        latestTime = startedAt
    }

    /// Takes in the decoder's verdict on one frame captured on `interface` at `time`.
    public mutating func observe(_ verdict: FrameVerdict, interface: String, at time: MonitorInstant) -> [MonitorEvent] {
        statistics.frames += 1
        switch verdict {
        case .ignored:
            statistics.ignored += 1
            return []
        case .skipped(let reason):
            statistics.skippedByReason[reason, default: 0] += 1
            return []
        case .packet(let packet):
            return observe(packet, interface: interface, at: time)
        }
    }

    /// Takes in one decoded packet captured on `interface` at `time`.
    public mutating func observe(_ packet: MonitorPacket, interface: String, at time: MonitorInstant) -> [MonitorEvent] {
        latestTime = Swift.max(latestTime, time)
        var events: [MonitorEvent] = []
        switch packet {
        case .advertisement(let sighting):
            statistics.advertisements += 1
            events = state.ingest(sighting, interface: interface, at: time)
        case .malformedAdvertisement(let malformed):
            statistics.malformedAdvertisements += 1
            statistics.skippedByReason["vrrp_" + malformed.error.counterKey, default: 0] += 1
            state.ingest(malformed, interface: interface)
        case .addressClaim(let claim):
            statistics.addressClaims += 1
            state.ingest(claim, interface: interface, at: time)
        case .vrrpRejection(let rejection):
            statistics.rejections += 1
            state.ingest(rejection, at: time)
        }
        if let last = lastEvaluation, time - last < state.settings.evaluationStep, events.isEmpty { return events }
        return events + evaluate(at: time)
    }

    /// A sample of the daemon's VRRP socket receive counter for `socket`, taken at `time`.
    public mutating func recordSocketReceipts(_ socket: SocketKey, total: Int, at time: MonitorInstant) -> [MonitorEvent] {
        state.recordSocketReceipts(socket, total: total, at: time)
        return evaluate(at: time)
    }

    /// Lets time pass without packets: silences and expirations become findings or clear them.
    public mutating func advance(to time: MonitorInstant) -> [MonitorEvent] { evaluate(at: time) }

    /// Findings in force, most severe first, then oldest first.
    public var currentFindings: [Finding] {
        activeFindings.values.sorted { ($1.severity, $0.since, $0.key) < ($0.severity, $1.since, $1.key) }
    }

    /// Runs every rule at `time` and reports what began and what ended.
    private mutating func evaluate(at time: MonitorInstant) -> [MonitorEvent] {
        lastEvaluation = time
        latestTime = Swift.max(latestTime, time)
        state.expire(at: time)
        let found = state.splitBrainFindings(at: time) + state.addressClaimFindings(at: time)
            + state.socketVisibilityFindings(at: time) + state.packetHealthFindings(at: time)
            + state.groupConsistencyFindings(at: time) + state.masterPresenceFindings(at: time)
        var current: [Finding.Key: Finding] = [:]
        for finding in found { current[finding.key] = finding }

        var events: [MonitorEvent] = []
        for (key, finding) in activeFindings where current[key] == nil {
            events.append(.findingCleared(finding, at: time))
            if let index = history.lastIndex(where: { $0.finding.key == key && $0.clearedAt == nil }) {
                history[index] = (finding, time)
            }
        }
        for (key, finding) in current.sorted(by: { ($0.value.since, $0.key) < ($1.value.since, $1.key) })
        where activeFindings[key] == nil {
            events.append(.findingOnset(finding))
            history.append((finding, nil))
        }
        for (key, finding) in current {
            // Keep the onset time of a finding that lasts; its words and evidence follow the wire.
            var updated = finding
            if let existing = activeFindings[key] { updated.since = existing.since }
            current[key] = updated
        }
        activeFindings = current
        return events.sorted { $0.time < $1.time }
    }
}
