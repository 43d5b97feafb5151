/// Something a valid configuration does that is likely to cost the VIP, which `vipd check` prints
/// (it does not make the file invalid).
public struct ConfigWarning: Sendable, Equatable, CustomStringConvertible {
    /// Where, e.g. `vrrp.VI_1.track.scripts.chk_haproxy`.
    public var keyPath: String
    /// What happens and what to do instead.
    public var message: String

    public init(keyPath: String, message: String) {
        self.keyPath = keyPath
        self.message = message
    }

    /// `warning: KEY: message`.
    public var description: String { "warning: \(keyPath): \(message)" }
}

extension VipdConfiguration {
    /// What `vipd check` warns about, in file order.
    ///
    /// A script tracked with weight 0 puts the instance in FAULT while it fails. The file is the same
    /// on every node, so every node's instance depends on it: when the script fails everywhere at once
    /// (it checks something every node lost, such as a haproxy that vipd replaced), no node holds the VIP.
    public var warnings: [ConfigWarning] {
        vrrp.flatMap { instance in
            instance.track.filter { $0.kind == .script && $0.weight == 0 }.map { tracked in
                ConfigWarning(
                    keyPath: "vrrp.\(instance.name).track.scripts.\(tracked.name)",
                    message:
                        "every node's \(instance.name) goes to FAULT while script \(tracked.name) fails, so if it fails on all nodes at once nobody holds \(instance.virtualAddresses.map(\.address.description).joined(separator: ", ")); give it a negative weight to lower the priority instead, or track vipd's pools (track.pools)"
                )
            }
        }
    }
}
