import VipdConfig
import VipdCore

/// What haproxy.cfg becomes: vipd listeners and pools, where each came from, and the addresses the
/// cluster inference looks at.
struct HAProxyTranslation {
    var listeners: [ListenerConfig] = []
    var pools: [PoolConfig] = []
    /// Comment lines for the YAML, by key path (`listeners.ssh_front`, `pools.ssh_back`).
    var comments: [String: [String]] = [:]
    /// Every server vipd carries, in file order.
    var servers: [(name: String, address: IPAddress, location: SourceLocation)] = []
    /// Every address a listener binds, in file order.
    var binds: [(address: IPAddress, location: SourceLocation)] = []
    /// The proxies that serve haproxy's stats page and forward nowhere, in file order: left to
    /// `HAProxyStatsTranslator`, which needs the cluster's nodes.
    var statsProxies: [HAProxyProxy] = []
}
