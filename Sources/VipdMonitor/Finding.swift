/// Something wrong (or worth knowing) about the VRRP groups on the wire, in plain words, with the
/// evidence that shows it and the fix.
public struct Finding: Sendable, Hashable {
    /// What kind of problem; the raw value is the stable name used in JSON and logs.
    public enum Kind: String, Sendable, Hashable, CaseIterable, Comparable {
        case splitBrain = "split-brain"
        case addressAnsweredByTwoMACs = "vip-two-macs"
        case oneSidedVisibility = "one-sided-visibility"
        case vrrpRejected = "vrrp-rejected"
        case routerIDCollision = "vrid-collision"
        case noMaster = "no-master"
        case intervalMismatch = "interval-mismatch"
        case authenticationMismatch = "auth-mismatch"
        case versionMismatch = "version-mismatch"
        case unicastMulticastMix = "unicast-multicast-mix"
        case wrongTTL = "wrong-ttl"
        case badChecksum = "bad-checksum"
        case flapping = "flapping"
        case masterLeaving = "master-leaving"

        /// How bad this kind is.
        public var severity: Severity {
            switch self {
            case .splitBrain, .addressAnsweredByTwoMACs, .oneSidedVisibility, .vrrpRejected, .routerIDCollision,
                .noMaster:
                .critical
            case .intervalMismatch, .authenticationMismatch, .versionMismatch, .unicastMulticastMix, .wrongTTL,
                .badChecksum, .flapping:
                .warning
            case .masterLeaving:
                .notice
            }
        }

        public static func < (lhs: Kind, rhs: Kind) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// How bad a finding is. Critical and warning findings make `vipd monitor --duration` exit 2;
    /// notices (a master leaving with priority 0, as in a planned handover) are reported only.
    public enum Severity: String, Sendable, Hashable, Comparable {
        case notice
        case warning
        case critical

        /// True for warnings and critical findings: the ones that make a run unhealthy.
        public var isProblem: Bool { self != .notice }

        public static func < (lhs: Severity, rhs: Severity) -> Bool {
            let order: [Severity] = [.notice, .warning, .critical]
            return order.firstIndex(of: lhs)! < order.firstIndex(of: rhs)!
        }
    }

    /// What makes two findings the same one: kind, group and subject (e.g. the pair of masters, a VIP, a sender).
    public struct Key: Sendable, Hashable, Comparable {
        public var kind: Kind
        public var group: GroupKey?
        public var subject: String

        public static func < (lhs: Key, rhs: Key) -> Bool {
            if lhs.kind != rhs.kind { return lhs.kind < rhs.kind }
            if lhs.group != rhs.group {
                guard let left = lhs.group else { return true }
                guard let right = rhs.group else { return false }
                return left < right
            }
            return lhs.subject < rhs.subject
        }
    }

    public var kind: Kind
    /// The group concerned, when there is one (a VIP answered by two MACs is about an address).
    public var group: GroupKey?
    /// What inside the group, e.g. "10.0.0.1/10.0.0.2" for a split brain, a VIP, a sender.
    public var subject: String
    /// When the condition began (the evidence's time, not when it was noticed).
    public var since: MonitorInstant
    /// The finding in one line of plain words, with the numbers that show it.
    public var summary: String
    /// Supporting facts, one per line.
    public var evidence: [String]
    /// What to do about it, with commands where there is one.
    public var fix: String
    /// The host whose firewall the finding blames for dropping VRRP, if that is its cause.
    public var firewallSuspect: FirewallSuspect?

    /// A finding; see the properties.
    public init(
        kind: Kind, group: GroupKey?, subject: String, since: MonitorInstant, summary: String, evidence: [String],
        fix: String, firewallSuspect: FirewallSuspect? = nil
    ) {
        self.kind = kind
        self.group = group
        self.subject = subject
        self.since = since
        self.summary = summary
        self.evidence = evidence
        self.fix = fix
        self.firewallSuspect = firewallSuspect
    }

    public var severity: Severity { kind.severity }
    public var key: Key { Key(kind: kind, group: group, subject: subject) }
}
