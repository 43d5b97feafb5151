import Synchronization
import VipdConfig
import VipdDoctor
import VipdMonitor

/// The fix of a monitor finding that blames this node's firewall for dropping VRRP, from
/// `vipd doctor`'s walker over this host's own ruleset: the rule (or policy) that drops the peers'
/// adverts, with its table, chain and handle, and the commands that let VRRP past it in that
/// table's chain. Findings about other hosts, and rulesets where the walker finds no drop, keep
/// the monitor's fix.
final class LocalFirewallFix: Sendable {
    private let config: VipdConfiguration
    private let node: ClusterNode
    /// The latest walker fix per finding, with the onset it was read for: read once per onset.
    private let fixes = Mutex<[Finding.Key: (since: MonitorInstant, fix: String?)]>([:])

    init(config: VipdConfiguration, node: ClusterNode) {
        self.config = config
        self.node = node
    }

    /// `finding`, with the walker's fix when it blames this node's firewall and the walker finds the drop.
    func applied(to finding: Finding) -> Finding {
        guard blamesThisNode(finding) else { return finding }
        let fix: String?
        if let cached = fixes.withLock({ $0[finding.key] }), cached.since == finding.since {
            fix = cached.fix
        } else {
            fix = walkerFix(for: finding)
            fixes.withLock { $0[finding.key] = (finding.since, fix) }
        }
        guard let fix else { return finding }
        var applied = finding
        applied.fix = fix
        return applied
    }

    private func blamesThisNode(_ finding: Finding) -> Bool {
        switch finding.firewallSuspect {
        case .thisNode: true
        case .host(let address): node.addresses.contains(address)
        case nil: false
        }
    }

    /// The drop of the finding's group's adverts (every instance's when it has no group) in this host's ruleset.
    private func walkerFix(for finding: Finding) -> String? {
        guard let ruleset = try? FirewallSnapshot.read(timeout: .seconds(5)).ruleset() else { return nil }
        let instances = config.vrrp.filter { instance in
            guard let group = finding.group else { return true }
            return instance.interface == group.interface && instance.family == group.family
                && instance.virtualRouterID == Int(group.virtualRouterID)
        }
        return instances.lazy.compactMap { FirewallCheck.dropOnThisNode(for: $0, ruleset: ruleset, config: self.config, node: self.node) }.first
    }
}
