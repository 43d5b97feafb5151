import FoundationEssentials
import VipdHandoff
import VipdConfig
#if canImport(Glibc)
import Glibc
#endif

/// "Sessions are kept across planned moves of the virtual addresses": what the hand-off needs on
/// this host (nftables, and `net.ipv4.tcp_fwmark_accept`, which vipd sets while it runs and
/// restores at stop) and what it changed now. Pure: the caller reads the host.
public enum SessionHandoffCheck {
    /// What the host offers.
    public struct Host: Sendable, Equatable {
        /// Whether `nft` is installed.
        public var hasNft: Bool
        /// `net.ipv4.tcp_fwmark_accept` now; nil when unreadable.
        public var fwmarkAccept: Int?
        /// Whether this process may write the sysctl.
        public var fwmarkAcceptWritable: Bool
        /// The families (`ip`, `ip6`, `arp`) that have a table named `vipd_sessions` now (a running vipd's).
        public var tables: [String]

        public init(hasNft: Bool, fwmarkAccept: Int?, fwmarkAcceptWritable: Bool, tables: [String]) {
            self.hasNft = hasNft
            self.fwmarkAccept = fwmarkAccept
            self.fwmarkAcceptWritable = fwmarkAcceptWritable
            self.tables = tables
        }
    }

    static let title = "sessions are kept across planned moves of the virtual addresses"

    /// The result for `config` on `host`; nil when there is nothing to keep (no VRRP instance, or no
    /// listener on a virtual address).
    public static func result(config: VipdConfiguration, host: Host) -> DoctorCheckResult? {
        guard !config.listenersOnVirtualAddresses.isEmpty else { return nil }
        guard config.global.sessionDrainLimit > .zero else {
            return DoctorCheckResult(
                .warn, title, detail: "global.session_drain_limit is 0: every move of a virtual address resets the sessions through the node it leaves",
                fix: "remove session_drain_limit from the global section (24h by default) or give it a duration")
        }
        guard host.hasNft else {
            return DoctorCheckResult(
                .fail, title, detail: "nft (nftables) is not installed: vipd cannot forward the segments of moved sessions",
                fix: "apt-get install nftables")
        }
        let tables = host.tables.isEmpty ? "no table vipd_sessions now (vipd is not running here)" : "tables \(host.tables.map { "\($0) vipd_sessions" }.joined(separator: ", ")) present (vipd's own)"
        switch (host.fwmarkAccept, host.fwmarkAcceptWritable) {
        case (1?, _):
            return DoctorCheckResult(.pass, title, detail: "net.ipv4.tcp_fwmark_accept is 1; \(tables)")
        case (let value?, true):
            return DoctorCheckResult(
                .pass, title, detail: "net.ipv4.tcp_fwmark_accept is \(value): vipd sets it to 1 while it runs and restores \(value) at stop; \(tables)")
        case (let value, _):
            return DoctorCheckResult(
                .fail, title,
                detail: "net.ipv4.tcp_fwmark_accept is \(value.map(String.init) ?? "unreadable") and this process cannot change it (read-only /proc/sys?): sessions would be reset at each move",
                fix: "run vipd as root with CAP_NET_ADMIN; under systemd with ProtectKernelTunables=yes add ReadWritePaths=/proc/sys/net/ipv4/tcp_fwmark_accept (the shipped unit has it)")
        }
    }
}

extension SessionHandoffCheck.Host {
    /// This host now, in this process's network namespace.
    public static func read() -> Self {
        let path = FwmarkAcceptSetting.path
        let hasNft = KernelCommand.nft.path != nil
        let tables = hasNft ? ["ip", "ip6", "arp"].filter { family in
            (try? KernelCommand.nft.run(["list", "table", family, HandoffRuleset.tableName])) != nil
        } : []
        return Self(hasNft: hasNft, fwmarkAccept: FwmarkAcceptSetting.read(), fwmarkAcceptWritable: access(path, W_OK) == 0, tables: tables)
    }
}
