import VipdConfig

/// The configuration `vipd demo` runs with: real YAML a user could copy, the same file on both
/// nodes, parsed by the real loader. Its addresses are those of `ClusterLab` (nodes 10.251.1.11 and
/// .12 on eth0); the timers are seed 001's, so the story takes about a minute.
public enum DemoConfiguration {
    /// The embedded file, printed at the start of the demo.
    public static let yaml = """
        cluster:
          nodes:
            ha0: { address: 10.251.1.11, priority: 100 }
            ha1: { address: 10.251.1.12, priority: 50 }
        vrrp:
          VI_1:
            interface: eth0
            router_id: 51
            version: 3
            advert_interval: 1s
            preempt: true
            virtual_addresses: [10.251.1.100/24]
            track: { pools: { ssh: -60 } }   # no ssh server up here: 100 - 60 < 50, ha1 takes the VIP
        listeners:
          ssh: { bind: 10.251.1.100:22, mode: tcp, pool: ssh, connect_timeout: 1s }
        pools:
          ssh:
            balance: roundrobin
            servers: nodes:22            # ha0 at 10.251.1.11:22, ha1 at 10.251.1.12:22
            check: { kind: ssh-banner, interval: 2s, timeout: 2s, fall: 3, rise: 2 }
        global: { drain_timeout: 2s }

        """

    /// The name the parsed file carries in errors.
    public static let fileName = "<vipd demo>"

    /// The parsed embedded file.
    public static func parsed() throws -> VipdConfiguration {
        try ConfigLoader.parse(yaml: yaml, file: fileName)
    }
}
