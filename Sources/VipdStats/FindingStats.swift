/// One finding of the advertisement monitor, with its evidence and fix.
public struct FindingStats: Codable, Sendable, Equatable {
    /// `split-brain`, `vip-two-macs`, … (the monitor's stable names).
    public var kind: String
    /// `critical`, `warning` or `notice`.
    public var severity: String
    /// The VRRP group concerned (`eth0 VRID 51`), when there is one.
    public var group: String?
    /// When the condition began, in seconds since the Unix epoch.
    public var since: Double
    public var summary: String
    public var evidence: [String]
    public var fix: String

    public init(
        kind: String, severity: String, group: String?, since: Double, summary: String, evidence: [String], fix: String
    ) {
        self.kind = kind
        self.severity = severity
        self.group = group
        self.since = since
        self.summary = summary
        self.evidence = evidence
        self.fix = fix
    }
}
