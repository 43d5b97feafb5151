import FoundationEssentials

/// A small LAN in network namespaces: N nodes and one client, each with an `eth0` on one bridge
/// (in a switch namespace of its own), addresses 10.251.1.0/24 and fd00:251:1::/64, and no route
/// anywhere else. Namespaces are unique per lab, so labs may run in parallel with the same addresses.
///
/// Node i (from 0) has 10.251.1.(11 + i), the client 10.251.1.2. `delete()` (or deinit) removes
/// everything; processes started inside must be stopped by their owners first.
public final class ClusterLab: @unchecked Sendable {
    /// One host of the lab.
    public struct Host: Sendable {
        /// Name used in logs and files, e.g. `ha0`.
        public let name: String
        public let namespace: NetworkNamespace
        /// The host's IPv4 address on the lab LAN.
        public let address: String
        /// The host's IPv6 address on the lab LAN.
        public let address6: String
        /// The switch port (veth end in the switch namespace) that plays this host's cable.
        public let switchPort: String
    }

    /// The interface name on every host.
    public static let interface = "eth0"
    /// The lab LAN's IPv4 prefix length.
    public static let prefixLength = 24

    public let nodes: [Host]
    public let client: Host
    let switchNamespace: NetworkNamespace

    /// Builds the LAN with `nodeCount` nodes named `ha0`, `ha1`, ...
    public init(nodeCount: Int) throws {
        switchNamespace = try NetworkNamespace(name: NetworkNamespace.uniqueName("sw"))
        var made: [Host] = []
        do {
            try switchNamespace.ip(["link", "add", "br0", "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0"])
            try switchNamespace.ip(["link", "set", "br0", "up"])
            for index in 0..<nodeCount {
                made.append(try Self.attach(name: "ha\(index)", hostNumber: 11 + index, to: switchNamespace))
            }
            made.append(try Self.attach(name: "client", hostNumber: 2, to: switchNamespace))
        } catch {
            made.forEach { $0.namespace.delete() }
            switchNamespace.delete()
            throw error
        }
        nodes = Array(made.dropLast())
        client = made.last!
    }

    deinit { delete() }

    /// Kills every process left in the lab's namespaces (by PID, as `ip netns pids` lists them,
    /// e.g. a `vipd serve-sessions` that outlived its vipd), then deletes every namespace
    /// (interfaces and addresses go with them).
    public func delete() {
        for namespace in (nodes + [client]).map(\.namespace) {
            namespace.killRemainingProcesses()
            namespace.delete()
        }
        switchNamespace.delete()
    }

    private static func attach(name: String, hostNumber: Int, to switchNamespace: NetworkNamespace) throws -> Host {
        let namespace = try NetworkNamespace(name: NetworkNamespace.uniqueName(name))
        let host = Host(
            name: name, namespace: namespace, address: "10.251.1.\(hostNumber)", address6: "fd00:251:1::\(hostNumber)",
            switchPort: "p-\(name)")
        do {
            try connect(host, to: switchNamespace)
            return host
        } catch {
            namespace.delete()
            throw error
        }
    }

    /// Gives `host` its `eth0` on the bridge, with its addresses, up.
    private static func connect(_ host: Host, to switchNamespace: NetworkNamespace) throws {
        try switchNamespace.ip(["link", "add", host.switchPort, "type", "veth", "peer", "name", interface, "netns", host.namespace.name])
        try switchNamespace.ip(["link", "set", host.switchPort, "master", "br0", "up"])
        try host.namespace.ip(["addr", "add", "\(host.address)/\(prefixLength)", "dev", interface])
        try host.namespace.ip(["addr", "add", "\(host.address6)/64", "dev", interface, "nodad"])
        try host.namespace.ip(["link", "set", interface, "up"])
    }

    /// Deletes `host`'s cable, switch port and `eth0` alike: the interface no longer exists on the host.
    public func removeInterface(of host: Host) throws {
        try switchNamespace.ip(["link", "delete", host.switchPort])
    }

    /// Gives `host` a new `eth0` on the bridge with its addresses, as a hot-plugged or re-created
    /// interface gets (a new interface index), after `removeInterface(of:)`.
    public func recreateInterface(of host: Host) throws {
        try Self.connect(host, to: switchNamespace)
    }

    /// Pulls `host`'s cable: its switch port goes down, so the host sees its link lose carrier.
    public func cutLink(_ host: Host) throws {
        try switchNamespace.ip(["link", "set", host.switchPort, "down"])
    }

    /// Plugs `host`'s cable back in.
    public func restoreLink(_ host: Host) throws {
        try switchNamespace.ip(["link", "set", host.switchPort, "up"])
    }

    /// Makes `host`'s firewall drop incoming VRRP (IP protocol 112), as firewalld did in seed 000.
    public func dropVRRP(on host: Host) throws {
        try host.namespace.run(
            Self.nft,
            [
                "add table inet vipdlab; add chain inet vipdlab input { type filter hook input priority 0; policy accept; }; add rule inet vipdlab input meta l4proto 112 drop"
            ])
    }

    /// Removes the drop added by `dropVRRP(on:)`.
    public func allowVRRP(on host: Host) throws {
        try host.namespace.run(Self.nft, ["delete table inet vipdlab"])
    }

    /// Where Debian's nftables puts `nft`.
    public static let nft = URL(fileURLWithPath: "/usr/sbin/nft")

    /// `ip -o addr show dev eth0` on `host`: one line per address.
    public func addresses(on host: Host) throws -> String {
        try host.namespace.ip(["-o", "addr", "show", "dev", Self.interface]).standardOutput
    }

    /// Whether `host` holds `address` on its lab interface.
    public func holds(_ address: String, on host: Host) throws -> Bool {
        try holds(address, on: host, interface: Self.interface)
    }
}
