/// A second LAN for labs whose nodes sit on two networks (a router's outside and inside): `eth1`
/// on every host, on a bridge of its own in the lab's switch namespace, addresses 10.251.2.0/24
/// with the same host numbers as on the first LAN. Deleted with the lab.
extension ClusterLab {
    /// The second network's interface name on every host.
    public static let secondInterface = "eth1"

    /// Adds `eth1` to every node and the client, on bridge `br1`; node i gets 10.251.2.(11 + i).
    public func addSecondNetwork() throws {
        try switchNamespace.ip(["link", "add", "br1", "type", "bridge", "stp_state", "0", "forward_delay", "0", "mcast_snooping", "0"])
        try switchNamespace.ip(["link", "set", "br1", "up"])
        for host in nodes + [client] {
            let port = Self.secondSwitchPort(host)
            try switchNamespace.ip(["link", "add", port, "type", "veth", "peer", "name", Self.secondInterface, "netns", host.namespace.name])
            try switchNamespace.ip(["link", "set", port, "master", "br1", "up"])
            let number = host.address.split(separator: ".").last.map(String.init) ?? "0"
            try host.namespace.ip(["addr", "add", "10.251.2.\(number)/\(Self.prefixLength)", "dev", Self.secondInterface])
            try host.namespace.ip(["link", "set", Self.secondInterface, "up"])
        }
    }

    /// Pulls `host`'s cable on the second network (`up: false`) or plugs it back in.
    public func setSecondLink(_ host: Host, up: Bool) throws {
        try switchNamespace.ip(["link", "set", Self.secondSwitchPort(host), up ? "up" : "down"])
    }

    /// Whether `host` holds `address` on `interface`.
    public func holds(_ address: String, on host: Host, interface: String) throws -> Bool {
        try host.namespace.ip(["-o", "addr", "show", "dev", interface]).standardOutput
            .split(separator: "\n").contains { $0.contains(" \(address)/") }
    }

    private static func secondSwitchPort(_ host: Host) -> String { "q-\(host.name)" }
}
