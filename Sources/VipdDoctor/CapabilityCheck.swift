import FoundationEssentials
import VipdConfig
import VipdCore

/// "The process has the capabilities vipd needs": `CapEff` of `/proc/self/status` against
/// CAP_NET_ADMIN (VIPs by netlink) and CAP_NET_RAW (the VRRP socket, ARP, capture) when VRRP is
/// configured, and CAP_NET_BIND_SERVICE when a listener's port is below 1024. Pure.
public enum CapabilityCheck {
    /// A Linux capability vipd may need.
    public struct Capability: Sendable, Equatable {
        public let name: String
        /// The bit number in the capability sets (`<linux/capability.h>`).
        public let bit: Int
        /// Why vipd needs it.
        public let reason: String
    }

    /// The capabilities `config` needs.
    public static func required(by config: VipdConfiguration) -> [Capability] {
        var needed: [Capability] = []
        if let port = config.listeners.map(\.bind.port).filter({ $0 < 1024 }).min() {
            needed.append(Capability(name: "CAP_NET_BIND_SERVICE", bit: 10, reason: "listening on port \(port)"))
        }
        if !config.vrrp.isEmpty {
            needed.append(Capability(name: "CAP_NET_ADMIN", bit: 12, reason: "adding and removing the VIPs"))
            needed.append(Capability(name: "CAP_NET_RAW", bit: 13, reason: "the VRRP socket, gratuitous ARP and the capture"))
        }
        return needed
    }

    /// The effective set from `/proc/self/status` text (`CapEff:\t000001ffffffffff`); nil when absent.
    public static func effectiveSet(status: String) -> UInt64? {
        for line in status.split(separator: "\n") where line.hasPrefix("CapEff:") {
            return UInt64(line.dropFirst("CapEff:".count).trimmingWhitespace(), radix: 16)
        }
        return nil
    }

    /// The result for a process whose `/proc/self/status` reads `status`.
    public static func result(status: String, config: VipdConfiguration) -> DoctorCheckResult {
        let needed = required(by: config)
        let title = "capabilities present"
        guard !needed.isEmpty else { return DoctorCheckResult(.pass, title, detail: "none needed by this configuration") }
        guard let effective = effectiveSet(status: status) else {
            return DoctorCheckResult(.warn, title, detail: "no CapEff line in /proc/self/status")
        }
        let missing = needed.filter { effective & (1 << UInt64($0.bit)) == 0 }
        guard missing.isEmpty else {
            let names = missing.map(\.name).joined(separator: " ")
            return DoctorCheckResult(
                .fail, title,
                detail: missing.map { "missing \($0.name), needed for \($0.reason)" }.joined(separator: "\n"),
                fix: "run vipd as root, or in its systemd unit: AmbientCapabilities=\(names) and CapabilityBoundingSet=\(names)")
        }
        return DoctorCheckResult(.pass, title, detail: needed.map(\.name).joined(separator: ", "))
    }
}
