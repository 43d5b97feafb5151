import VipdCore

/// sshd's `AddressFamily` values.
public enum SSHDAddressFamily: String, Sendable, Equatable, CaseIterable {
    case inet, inet6, any

    /// The family that lets sshd listen on exactly `addresses`: `inet` for IPv4 only, `inet6` for IPv6 only,
    /// `any` for both.
    public init(for addresses: [IPAddress]) {
        let families = Set(addresses.map(\.family))
        self = families == [.v4] ? .inet : families == [.v6] ? .inet6 : .any
    }
}
