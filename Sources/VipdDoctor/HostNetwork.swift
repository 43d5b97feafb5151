import VipdCore
import VipdNet
import VipdSystem

/// This host's interfaces (each with its `IFF_MULTICAST` flag) and addresses as rtnetlink lists
/// them, and its name: what the interface and node checks read.
public struct HostNetwork: Sendable, Equatable {
    public var interfaces: [NetworkInterface]
    public var addresses: [InterfaceAddress]
    public var hostname: String

    public init(interfaces: [NetworkInterface], addresses: [InterfaceAddress], hostname: String) {
        self.interfaces = interfaces
        self.addresses = addresses
        self.hostname = hostname
    }

    /// Reads this network namespace through rtnetlink.
    public static func read() throws(NetworkError) -> HostNetwork {
        let netlink = try RouteNetlink()
        return HostNetwork(interfaces: try netlink.interfaces(), addresses: try netlink.addresses(), hostname: HostName.current())
    }

    /// The interface called `name`.
    public func interface(named name: String) -> NetworkInterface? { interfaces.first { $0.name == name } }

    /// The addresses on `interface`.
    public func addresses(on interface: NetworkInterface) -> [InterfaceAddress] {
        addresses.filter { $0.interfaceIndex == interface.index }
    }

    /// The name of the interface that holds `address`, if one does.
    public func interfaceName(holding address: IPAddress) -> String? {
        guard let held = addresses.first(where: { $0.prefix.address == address }) else { return nil }
        return interfaces.first { $0.index == held.interfaceIndex }?.name
    }
}
