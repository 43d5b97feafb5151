import CVipdSys
import Synchronization
import VipdCore

#if canImport(Glibc)
import Glibc
#endif

/// One `NETLINK_ROUTE` socket for synchronous rtnetlink requests: list interfaces, addresses and
/// neighbours, add and remove addresses, resolve a neighbour. What `ip link`, `ip addr` and
/// `ip neigh` do, without running them.
///
/// Requests are serialised: each one is sent with a fresh sequence number and its answers are
/// read until the kernel's acknowledgement or end of dump, with a 5-second limit. The socket
/// belongs to the network namespace of the thread that created the object.
public final class RouteNetlink: Sendable {
    let connection: NetlinkConnection

    /// Opens and binds the socket.
    public init() throws(NetworkError) {
        connection = try NetlinkConnection(protocol: NETLINK_ROUTE, purpose: "rtnetlink socket", call: "socket(AF_NETLINK, NETLINK_ROUTE)")
    }

    /// Every interface in the namespace (`RTM_GETLINK` dump), in the kernel's index order.
    public func interfaces() throws(NetworkError) -> [NetworkInterface] {
        var interfaces = [NetworkInterface]()
        for message in try connection.perform(.linkDump(), name: "RTM_GETLINK dump", interface: nil) where message.type == Netlink.newLink {
            interfaces.append(try NetworkInterface(link: LinkMessage(decoding: message.payload)))
        }
        return interfaces
    }

    /// The interface called `name`.
    /// - Throws: `NetworkError.interfaceNotFound` when there is none in this namespace.
    public func interface(named name: String) throws(NetworkError) -> NetworkInterface {
        guard !name.isEmpty, name.utf8.count < IFNAMSIZ else { throw .interfaceNotFound(name) }
        let replies: [NetlinkMessage]
        do {
            replies = try connection.perform(.linkQuery(named: name), name: "RTM_GETLINK", interface: name)
        } catch let .netlinkRequest(_, _, code, _) where code == ENODEV {
            throw .interfaceNotFound(name)
        }
        guard let message = replies.first(where: { $0.type == Netlink.newLink }) else {
            throw .malformedNetlinkMessage("RTM_GETLINK \(name) acknowledged without an RTM_NEWLINK")
        }
        return try NetworkInterface(link: LinkMessage(decoding: message.payload))
    }

    /// The addresses on one interface, or on all when `interfaceIndex` is nil (`RTM_GETADDR`
    /// dump), in the kernel's order: for IPv4, primaries before their secondaries.
    public func addresses(interfaceIndex: Int32? = nil) throws(NetworkError) -> [InterfaceAddress] {
        var addresses = [InterfaceAddress]()
        for message in try connection.perform(.addressDump(), name: "RTM_GETADDR dump", interface: nil) where message.type == Netlink.newAddress {
            let address = try InterfaceAddress(message: AddressMessage(decoding: message.payload))
            if interfaceIndex == nil || address.interfaceIndex == interfaceIndex {
                addresses.append(address)
            }
        }
        return addresses
    }

    /// The kernel's neighbour table, as `ip neigh show nud all` lists it (`RTM_GETNEIGH` dump): the
    /// IPv4 (ARP) and IPv6 (neighbour discovery) entries, or one family's. Every state is listed,
    /// also `INCOMPLETE`, `FAILED` and the `NOARP` entries of multicast groups; proxy entries are not.
    public func neighbours(family: IPAddress.Family? = nil) throws(NetworkError) -> [Neighbour] {
        let requested: Int32 = switch family {
        case .v4: AF_INET
        case .v6: AF_INET6
        case nil: AF_UNSPEC
        }
        var neighbours = [Neighbour]()
        for message in try connection.perform(.neighbourDump(family: UInt8(requested)), name: "RTM_GETNEIGH dump", interface: nil) {
            if let neighbour = try Neighbour.decode(message), family == nil || neighbour.address.family == family {
                neighbours.append(neighbour)
            }
        }
        return neighbours
    }

    /// Asks the kernel to resolve `address` on the interface now, as `ip neigh replace ADDRESS dev
    /// IF use` does (`RTM_NEWNEIGH`, `NTF_USE`): an address without an entry gets one, `INCOMPLETE`,
    /// and an ARP request or neighbour solicitation goes out at once; a `STALE` entry is re-checked
    /// (`DELAY`, then a unicast probe); a `REACHABLE` one stays as it is. The kernel does not check
    /// that the address is on the interface's subnet.
    ///
    /// Returns once the kernel has acknowledged, without waiting for an answer: read `neighbours`
    /// for the link address, which comes within a round trip, or `FAILED` after the kernel's
    /// probes (3, one a second, by default).
    /// - Throws: `NetworkError.netlinkRequest` (e.g. `ENODEV` for an unknown interface index).
    public func resolveNeighbour(_ address: IPAddress, interfaceIndex: Int32) throws(NetworkError) {
        _ = try connection.perform(.resolveNeighbour(address, interfaceIndex: interfaceIndex), name: "RTM_NEWNEIGH \(address) use", interface: Self.label(interfaceIndex))
    }

    /// Adds `prefix` to the interface the way keepalived adds a VIP (`RTM_NEWADDR`, `NLM_F_CREATE |
    /// NLM_F_EXCL`, `IFA_LOCAL` = `IFA_ADDRESS` = the address): an IPv4 VIP inside the subnet of
    /// the node's own address shows as `secondary`; an IPv6 VIP gets `IFA_F_NODAD`, usable at once.
    /// - Returns: false when the interface already has this address with this prefix length.
    /// - Throws: `NetworkError.netlinkRequest` (e.g. `ENODEV` for an unknown interface index).
    @discardableResult
    public func addAddress(_ prefix: IPPrefix, interfaceIndex: Int32) throws(NetworkError) -> Bool {
        do {
            _ = try connection.perform(.addAddress(prefix, interfaceIndex: interfaceIndex), name: "RTM_NEWADDR \(prefix)", interface: Self.label(interfaceIndex))
            return true
        } catch let .netlinkRequest(_, _, code, _) where code == EEXIST {
            return false
        }
    }

    /// Removes `prefix` (the same address and prefix length) from the interface (`RTM_DELADDR`).
    ///
    /// Removing an IPv4 primary address also removes the secondaries of its subnet unless the
    /// interface's `promote_secondaries` sysctl is set; VIPs added as secondaries never cause this.
    /// - Returns: false when the interface does not have it.
    /// - Throws: `NetworkError.netlinkRequest` (e.g. `ENODEV` for an unknown interface index).
    @discardableResult
    public func removeAddress(_ prefix: IPPrefix, interfaceIndex: Int32) throws(NetworkError) -> Bool {
        do {
            _ = try connection.perform(.removeAddress(prefix, interfaceIndex: interfaceIndex), name: "RTM_DELADDR \(prefix)", interface: Self.label(interfaceIndex))
            return true
        } catch let .netlinkRequest(_, _, code, _) where code == EADDRNOTAVAIL {
            return false
        }
    }

    /// The address VRRP sends from on this interface: for IPv4 the first primary (non-secondary)
    /// address, for IPv6 the link-local address (RFC 5798 requires it as the source). Addresses
    /// still in duplicate address detection are skipped; nil when there is none.
    public func primaryAddress(interfaceIndex: Int32, family: IPAddress.Family) throws(NetworkError) -> IPAddress? {
        try addresses(interfaceIndex: interfaceIndex).first { address in
            guard address.prefix.address.family == family, address.isUsableAsSource else { return false }
            return family == .v4 ? !address.isSecondary : address.prefix.address.isIPv6LinkLocal
        }?.prefix.address
    }

    private static func label(_ interfaceIndex: Int32) -> String {
        "interface index \(interfaceIndex)"
    }
}
