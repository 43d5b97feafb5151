import FoundationEssentials
import VipdCore

/// One line of `vipd monitor --json` as the demo reads it while the monitor still writes: the
/// members it acts on (`vipd monitor --json` prints more).
public struct MonitorLine: Sendable, Equatable {
    /// `group`, `master`, `finding`, `cleared` or `summary`.
    public let event: String
    /// The finding's kind (`split-brain`, `one-sided-visibility`, …) for `finding` and `cleared`.
    public let kind: String?
    /// The finding in one line of plain words.
    public let summary: String?
    /// The finding's supporting facts.
    public let evidence: [String]
    /// What to do about the finding.
    public let fix: String?
    /// For `master`: the new master's address.
    public let to: String?
    /// For `cleared`: how long the finding lasted.
    public let durationSeconds: Double?

    /// A line; see the properties.
    public init(
        event: String, kind: String? = nil, summary: String? = nil, evidence: [String] = [], fix: String? = nil,
        to: String? = nil, durationSeconds: Double? = nil
    ) {
        self.event = event
        self.kind = kind
        self.summary = summary
        self.evidence = evidence
        self.fix = fix
        self.to = to
        self.durationSeconds = durationSeconds
    }

    /// The complete JSON lines of `text` (a partial last line without its newline is left for the
    /// next read; lines that are not JSON objects with an `event` are skipped).
    public static func parse(_ text: String) -> [MonitorLine] {
        let complete = text.hasSuffix("\n") ? Substring(text) : text[..<(text.lastIndex(of: "\n") ?? text.startIndex)]
        return complete.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("{"),
                let object = try? JSONDecoder().decode(JSONValue.self, from: Data(line.utf8)),
                let event = object["event"]?.stringValue
            else { return nil }
            return MonitorLine(
                event: event, kind: object["kind"]?.stringValue, summary: object["summary"]?.stringValue,
                evidence: object["evidence"]?.arrayValue?.compactMap(\.stringValue) ?? [], fix: object["fix"]?.stringValue,
                to: object["to"]?.stringValue, durationSeconds: object["duration_seconds"]?.numberValue)
        }
    }
}
