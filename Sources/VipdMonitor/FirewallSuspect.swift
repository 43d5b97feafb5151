import VipdCore

/// The host whose firewall a finding blames for dropping VRRP (IP protocol 112).
///
/// The monitor cannot read that host's ruleset, so its fix says where to run `vipd doctor`, whose
/// walker names the rule. vipd running on the suspect itself reads its own ruleset and replaces
/// the fix with that rule and the command for that rule's table and chain.
public enum FirewallSuspect: Sendable, Hashable {
    /// The host the monitor runs on (inside `vipd run`: this node).
    case thisNode
    /// Another host, by the address the finding names.
    case host(IPAddress)
}

/// The fix of a finding that blames the firewall on `host` (a label: `10.0.0.2 (ha1)`, `this node`).
func firewallFix(on host: String) -> String {
    "run `vipd doctor` on \(host) — it names the rule that drops protocol 112"
}
