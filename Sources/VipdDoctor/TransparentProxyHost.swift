import FoundationEssentials
import VipdCore
import VipdHandoff
import VipdNet
import VipdTransparent

extension TransparentProxyCheck {
    /// What this host offers transparent proxying, as ``read(interfaces:)`` finds it.
    public struct Host: Sendable, Equatable {
        /// An interface's IPv4 settings that decide whether a reply from a peer passes the kernel's
        /// reverse-path check (`net.ipv4.conf.NAME.*`); nil where unreadable.
        public struct ReversePath: Sendable, Equatable {
            public var rpFilter: Int?
            public var srcValidMark: Int?
            public var acceptLocal: Int?

            public init(rpFilter: Int?, srcValidMark: Int?, acceptLocal: Int?) {
                self.rpFilter = rpFilter
                self.srcValidMark = srcValidMark
                self.acceptLocal = acceptLocal
            }
        }

        /// Whether `nft` (nftables) is installed.
        public var hasNft: Bool
        /// Whether `ip` (iproute2) is installed.
        public var hasIp: Bool
        /// Whether vipd's table `inet vipd_transparent` is in nftables now (vipd runs here).
        public var hasVipdTable: Bool
        /// The neighbour table, both families.
        public var neighbours: [Neighbour]
        /// Every policy-routing rule, both families.
        public var rules: [PolicyRoutingEntry]
        /// Every route in vipd's tables (9249-9281), both families.
        public var routes: [PolicyRoutingEntry]
        /// The reverse-path settings by interface name, and `all`.
        public var reversePath: [String: ReversePath]

        public init(
            hasNft: Bool, hasIp: Bool, hasVipdTable: Bool, neighbours: [Neighbour], rules: [PolicyRoutingEntry],
            routes: [PolicyRoutingEntry], reversePath: [String: ReversePath]
        ) {
            self.hasNft = hasNft
            self.hasIp = hasIp
            self.hasVipdTable = hasVipdTable
            self.neighbours = neighbours
            self.rules = rules
            self.routes = routes
            self.reversePath = reversePath
        }
    }
}

extension TransparentProxyCheck.Host {
    /// This host now, in this thread's network namespace; `interfaces` are those whose settings are read.
    public static func read(interfaces: [NetworkInterface]) -> Self {
        let hasIp = KernelCommand.ip.path != nil
        let hasNft = KernelCommand.nft.path != nil
        var rules: [PolicyRoutingEntry] = []
        var routes: [PolicyRoutingEntry] = []
        for (family, flag) in [(IPAddress.Family.v4, "-4"), (.v6, "-6")] where hasIp {
            if let listing = try? KernelCommand.ip.run([flag, "rule", "show"]) {
                rules += PolicyRoutingEntry.rules(inListing: listing, family: family)
            }
            // One table at a time: a full listing can be a router's whole table. A table with no
            // route does not exist, and `ip` fails.
            for table in TransparentProxyCheck.tables {
                guard let listing = try? KernelCommand.ip.run([flag, "route", "show", "table", "\(table)"]) else { continue }
                routes += PolicyRoutingEntry.routes(inListing: listing, family: family, table: table)
            }
        }
        var reversePath: [String: ReversePath] = [:]
        for name in ["all"] + interfaces.map(\.name) {
            let setting = { (key: String) in
                (try? String(contentsOfFile: "/proc/sys/net/ipv4/conf/\(name)/\(key)", encoding: .utf8))
                    .flatMap { Int($0.trimmingWhitespace()) }
            }
            reversePath[name] = ReversePath(
                rpFilter: setting("rp_filter"), srcValidMark: setting("src_valid_mark"), acceptLocal: setting("accept_local"))
        }
        return Self(
            hasNft: hasNft, hasIp: hasIp,
            hasVipdTable: hasNft && (try? KernelCommand.nft.run(["list", "table", "inet", TransparentRuleset.tableName])) != nil,
            neighbours: (try? RouteNetlink().neighbours()) ?? [], rules: rules, routes: routes, reversePath: reversePath)
    }
}
