import VipdConfig

/// The configuration `vipd demo` runs with, as YAML a user could copy, parsed by the real loader.
public enum DemoConfiguration {
    /// The embedded demo file with its ports filled in.
    public static func yaml(listenPort: Int, ha0Port: Int, ha1Port: Int) -> String {
        """
        listeners:
          ssh: { bind: 127.0.0.1:\(listenPort), mode: tcp, pool: ssh, idle_timeout: 1h }
        pools:
          ssh:
            balance: roundrobin
            servers:
              - { name: ha0, address: 127.0.0.1:\(ha0Port) }
              - { name: ha1, address: 127.0.0.1:\(ha1Port) }
            check: { kind: ssh-banner, interval: 1s, timeout: 1s, fall: 2, rise: 2 }
        """
    }

    /// The parsed demo configuration.
    public static func make(listenPort: Int, ha0Port: Int, ha1Port: Int) throws -> VipdConfiguration {
        try ConfigLoader.parse(yaml: yaml(listenPort: listenPort, ha0Port: ha0Port, ha1Port: ha1Port), file: "<vipd demo>")
    }
}
