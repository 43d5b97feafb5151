/// The four states of a VRRP instance (RFC 3768 / RFC 5798 section 6.4, plus keepalived's FAULT).
public enum VRRPState: Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Not running: before `start`, after `shutdown` or a finished handover (RFC "Initialize").
    case initialize
    /// Watching the master's advertisements, ready to take over when they stop.
    case backup
    /// Holding the virtual addresses and advertising them.
    case master
    /// A tracked object with weight 0 failed: neither advertising nor taking over (keepalived's FAULT).
    case fault

    /// The state as keepalived logs it: `INIT`, `BACKUP`, `MASTER`, `FAULT`.
    public var description: String {
        switch self {
        case .initialize: "INIT"
        case .backup: "BACKUP"
        case .master: "MASTER"
        case .fault: "FAULT"
        }
    }
}
