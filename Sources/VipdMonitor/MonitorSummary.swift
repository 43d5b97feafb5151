import VipdCore

/// The end-of-run report: what was seen, every finding with its onset and end, and the verdict.
public enum MonitorSummary {
    /// True when no warning or critical finding began during the run (notices do not count).
    public static func isHealthy(_ analyzer: MonitorAnalyzer) -> Bool {
        !analyzer.history.contains { $0.finding.severity.isProblem }
    }

    /// The summary as text lines.
    public static func lines(analyzer: MonitorAnalyzer, capture: [CaptureCounts], at now: MonitorInstant) -> [String] {
        let statistics = analyzer.statistics
        var lines = [
            "summary: \(statistics.frames) frames: \(statistics.advertisements) VRRP advertisements, "
                + "\(statistics.addressClaims) ARP/NA answers, \(statistics.rejections) ICMP rejections, "
                + "\(statistics.skipped) skipped" + skippedDetail(statistics)
        ]
        lines += capture.map { "capture: \($0.text)" }
        for group in analyzer.state.groups.values.sorted(by: { $0.key < $1.key }) {
            let advertisers = group.advertisers.values.sorted { $0.outranks($1) }.map { advertiser in
                "\(analyzer.state.settings.label(advertiser.address)) prio \(advertiser.priority) "
                    + "(\(advertiser.advertisementCount) adverts)"
            }
            let malformed = group.malformedCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            lines.append(
                "group \(group.key): " + advertisers.joined(separator: ", ")
                    + (malformed.isEmpty ? "" : "; malformed VRRP packets: " + malformed.joined(separator: ", ")))
        }
        if analyzer.history.isEmpty {
            lines.append("findings: none")
        } else {
            lines.append("findings: \(analyzer.history.count)")
            for (onset, clearedAt) in analyzer.history {
                let finding = clearedAt == nil ? analyzer.activeFindings[onset.key] ?? onset : onset
                let span = clearedAt.map { "\(finding.since.timeOfDayText)–\($0.timeOfDayText)" }
                    ?? "since \(finding.since.timeOfDayText), still active"
                lines.append("  \(finding.severity.rawValue.uppercased()) \(finding.kind.rawValue) (\(span)): \(finding.summary)")
                lines += finding.evidence.map { "      evidence: \($0)" }
                lines.append("      fix: \(finding.fix)")
            }
        }
        lines.append(isHealthy(analyzer) ? "verdict: HEALTHY" : "verdict: PROBLEMS FOUND")
        return lines
    }

    /// The summary as one JSON object.
    public static func json(analyzer: MonitorAnalyzer, capture: [CaptureCounts], at now: MonitorInstant) -> JSONValue {
        let statistics = analyzer.statistics
        let findings = analyzer.history.map { onset, clearedAt -> JSONValue in
            let finding = clearedAt == nil ? analyzer.activeFindings[onset.key] ?? onset : onset
            return .object(
                JSONReport.members(of: finding) + [("cleared", clearedAt.map { .string($0.isoText) } ?? .null)])
        }
        let groups = analyzer.state.groups.values.sorted { $0.key < $1.key }.map { group -> JSONValue in
            .object([
                ("group", JSONReport.group(group.key)),
                ("advertisers", .array(group.advertisers.values.sorted { $0.address < $1.address }.map {
                    JSONReport.advertiser($0, at: now, state: analyzer.state)
                })),
            ])
        }
        return .object([
            ("event", .string("summary")), ("time", .string(now.isoText)),
            ("healthy", .bool(isHealthy(analyzer))),
            ("frames", .integer(statistics.frames)), ("advertisements", .integer(statistics.advertisements)),
            ("address_claims", .integer(statistics.addressClaims)), ("rejections", .integer(statistics.rejections)),
            ("skipped", .object(statistics.skippedByReason.sorted { $0.key < $1.key }.map { ($0.key, .integer($0.value)) })),
            ("capture", .array(capture.map(\.json))), ("groups", .array(groups)), ("findings", .array(findings)),
        ])
    }

    private static func skippedDetail(_ statistics: MonitorStatistics) -> String {
        guard !statistics.skippedByReason.isEmpty else { return "" }
        return " (" + statistics.skippedByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            .joined(separator: ", ") + ")"
    }
}
