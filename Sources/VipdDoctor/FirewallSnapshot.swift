import VipdHandoff

/// The firewall as its tools print it on this host: the text the analyzers read.
public struct FirewallSnapshot: Sendable, Equatable {
    /// `nft -j -a list ruleset`; nil when nft is not installed or could not be read.
    public var nftablesJSON: String?
    /// `nft -a list ruleset`, for the rule texts.
    public var nftablesListing: String
    /// `iptables-save`; nil when not installed or not readable.
    public var iptablesSave: String?
    /// `ip6tables-save`; nil when not installed or not readable.
    public var ip6tablesSave: String?
    /// Tools that are installed but could not be read, with the reason.
    public var problems: [String]

    public init(
        nftablesJSON: String? = nil, nftablesListing: String = "", iptablesSave: String? = nil, ip6tablesSave: String? = nil,
        problems: [String] = []
    ) {
        self.nftablesJSON = nftablesJSON
        self.nftablesListing = nftablesListing
        self.iptablesSave = iptablesSave
        self.ip6tablesSave = ip6tablesSave
        self.problems = problems
    }

    /// Runs the tools (in this process's network namespace), each bounded by `timeout`. Not
    /// installed is not a problem; failing (e.g. not root) is.
    public static func read(timeout: Duration = .seconds(10)) -> FirewallSnapshot {
        var snapshot = FirewallSnapshot()
        func run(_ tool: KernelCommand, _ arguments: [String]) -> String? {
            guard tool.path != nil else { return nil }
            do {
                return try tool.run(arguments, timeout: timeout)
            } catch {
                snapshot.problems.append(error.description)
                return nil
            }
        }
        snapshot.nftablesJSON = run(.nft, ["-j", "-a", "list", "ruleset"])
        if snapshot.nftablesJSON != nil { snapshot.nftablesListing = run(.nft, ["-a", "list", "ruleset"]) ?? "" }
        snapshot.iptablesSave = run(.iptablesSave, [])
        snapshot.ip6tablesSave = run(.ip6tablesSave, [])
        return snapshot
    }

    /// Whether any tool was read.
    public var isEmpty: Bool { nftablesJSON == nil && iptablesSave == nil && ip6tablesSave == nil }

    /// Everything the tools listed as one ruleset. Tables that iptables-nft manages appear in both
    /// nft's and iptables-save's output: they are taken from iptables-save (whose rule texts and
    /// commands their admin knows, and whose matches nft shows only as opaque `xt` expressions),
    /// except tables iptables-nft calls incompatible (made with nft), which are taken from nft.
    public func ruleset() throws(NftablesRulesetParser.Failure) -> FirewallRuleset {
        var nftables = try nftablesJSON.map { (json) throws(NftablesRulesetParser.Failure) in
            try NftablesRulesetParser.parse(json: json, listing: nftablesListing)
        } ?? FirewallRuleset()
        var combined = FirewallRuleset()
        for (text, ipv6) in [(iptablesSave, false), (ip6tablesSave, true)] {
            guard let text else { continue }
            // A table nft made is listed by iptables-nft as an empty stand-in: nft's view of it counts.
            let incompatible = IptablesSaveParser.incompatibleTableNames(text)
            if IptablesSaveParser.isNftablesBackend(text) {
                let family = ipv6 ? "ip6" : "ip"
                let names = Set(IptablesSaveParser.tableNames(text)).subtracting(incompatible)
                nftables = nftables.removingTables { $0.family == family && names.contains($0.name) }
            }
            combined = combined.merging(
                IptablesSaveParser.parse(text, ipv6: ipv6).removingTables { incompatible.contains($0.name) })
        }
        return combined.merging(nftables)
    }
}
