import Foundation
import VipdConfig
import VipdNet

/// This host's interfaces and addresses as rtnetlink lists them, with each interface's
/// `IFF_MULTICAST` flag: what the interface and node checks read.
public struct HostNetwork: Sendable, Equatable {
    public var interfaces: [NetworkInterface]
    public var addresses: [InterfaceAddress]
    /// Names of the interfaces whose `IFF_MULTICAST` flag is set.
    public var multicastInterfaces: Set<String>
    public var hostname: String

    public init(interfaces: [NetworkInterface], addresses: [InterfaceAddress], multicastInterfaces: Set<String>, hostname: String) {
        self.interfaces = interfaces
        self.addresses = addresses
        self.multicastInterfaces = multicastInterfaces
        self.hostname = hostname
    }

    /// Reads this network namespace through rtnetlink and `/sys/class/net/NAME/flags`.
    public static func read() throws(NetworkError) -> HostNetwork {
        let netlink = try RouteNetlink()
        let interfaces = try netlink.interfaces()
        let multicast = interfaces.filter { interface in
            guard let text = try? String(contentsOfFile: "/sys/class/net/\(interface.name)/flags", encoding: .utf8),
                let flags = Int(text.trimmingCharacters(in: .whitespacesAndNewlines).dropFirst(2), radix: 16)
            else { return false }
            return flags & multicastFlag != 0
        }
        return HostNetwork(
            interfaces: interfaces, addresses: try netlink.addresses(), multicastInterfaces: Set(multicast.map(\.name)),
            hostname: hostname())
    }

    /// gethostname(2), without the DNS lookup Foundation's hostName may do.
    private static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `IFF_MULTICAST` from `<linux/if.h>`.
    static let multicastFlag = 0x1000

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
