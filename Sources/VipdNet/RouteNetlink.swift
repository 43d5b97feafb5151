import CVipdSys
import Synchronization
import VipdConfig

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
    /// How long a request waits for the kernel's answer before failing with `ETIMEDOUT`.
    static let answerTimeout = timeval(tv_sec: 5, tv_usec: 0)

    private let socket: SharedSocket
    private let sequence = Atomic<UInt32>(1)

    /// Opens and binds the socket, asking for extended acknowledgements (the kernel's reason
    /// text in errors) without the echo of the whole request.
    public init() throws(NetworkError) {
        socket = try SharedSocket(
            domain: AF_NETLINK, type: Int32(SOCK_RAW.rawValue), protocol: NETLINK_ROUTE,
            purpose: "rtnetlink socket", interfaceName: nil, call: "socket(AF_NETLINK, NETLINK_ROUTE)"
        )
        try socket.bindNetlink(groups: 0)
        try socket.setOption(level: SOL_SOCKET, SO_RCVTIMEO, Self.answerTimeout, name: "SO_RCVTIMEO")
        try socket.setOption(level: SOL_NETLINK, NETLINK_EXT_ACK, Int32(1), name: "NETLINK_EXT_ACK")
        try socket.setOption(level: SOL_NETLINK, NETLINK_CAP_ACK, Int32(1), name: "NETLINK_CAP_ACK")
    }

    /// Every interface in the namespace (`RTM_GETLINK` dump), in the kernel's index order.
    public func interfaces() throws(NetworkError) -> [NetworkInterface] {
        var interfaces = [NetworkInterface]()
        for message in try perform(.linkDump(), name: "RTM_GETLINK dump", interface: nil) where message.type == Netlink.newLink {
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
            replies = try perform(.linkQuery(named: name), name: "RTM_GETLINK", interface: name)
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
        for message in try perform(.addressDump(), name: "RTM_GETADDR dump", interface: nil) where message.type == Netlink.newAddress {
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
        for message in try perform(.neighbourDump(family: UInt8(requested)), name: "RTM_GETNEIGH dump", interface: nil) {
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
        _ = try perform(.resolveNeighbour(address, interfaceIndex: interfaceIndex), name: "RTM_NEWNEIGH \(address) use", interface: Self.label(interfaceIndex))
    }

    /// Adds `prefix` to the interface the way keepalived adds a VIP (`RTM_NEWADDR`, `NLM_F_CREATE |
    /// NLM_F_EXCL`, `IFA_LOCAL` = `IFA_ADDRESS` = the address): an IPv4 VIP inside the subnet of
    /// the node's own address shows as `secondary`; an IPv6 VIP gets `IFA_F_NODAD`, usable at once.
    /// - Returns: false when the interface already has this address with this prefix length.
    /// - Throws: `NetworkError.netlinkRequest` (e.g. `ENODEV` for an unknown interface index).
    @discardableResult
    public func addAddress(_ prefix: IPPrefix, interfaceIndex: Int32) throws(NetworkError) -> Bool {
        do {
            _ = try perform(.addAddress(prefix, interfaceIndex: interfaceIndex), name: "RTM_NEWADDR \(prefix)", interface: Self.label(interfaceIndex))
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
            _ = try perform(.removeAddress(prefix, interfaceIndex: interfaceIndex), name: "RTM_DELADDR \(prefix)", interface: Self.label(interfaceIndex))
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

    /// Sends `request` and collects its answers, repeating a dump the kernel marks as
    /// interrupted by concurrent changes (`NLM_F_DUMP_INTR`) up to three times.
    private func perform(_ request: NetlinkMessage, name: String, interface: String?) throws(NetworkError) -> [NetlinkMessage] {
        for _ in 1...3 {
            let (replies, interrupted) = try exchange(request, name: name, interface: interface)
            if !interrupted { return replies }
        }
        throw .netlinkRequest(name, interface: interface, errno: EINTR, reason: "dump interrupted by concurrent changes three times")
    }

    private func exchange(_ request: NetlinkMessage, name: String, interface: String?) throws(NetworkError) -> (replies: [NetlinkMessage], interrupted: Bool) {
        var request = request
        request.sequence = sequence.wrappingAdd(1, ordering: .relaxed).newValue
        let bytes = request.encoded()
        return try socket.withDescriptor { (descriptor) throws(NetworkError) in
            var kernel = sockaddr_nl()
            kernel.nl_family = sa_family_t(AF_NETLINK)
            var sent: Int
            repeat {
                sent = withUnsafePointer(to: &kernel) { address in
                    address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                        bytes.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, address, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
                    }
                }
            } while sent < 0 && errno == EINTR
            guard sent == bytes.count else { throw socket.failure("sendto(\(name))") }

            var replies = [NetlinkMessage]()
            var interrupted = false
            while true {
                guard let datagram = try socket.receiveNetlink(descriptor, flags: 0) else {
                    throw .netlinkRequest(name, interface: interface, errno: ETIMEDOUT, reason: "no answer within \(Self.answerTimeout.tv_sec) s")
                }
                for message in try NetlinkMessage.parseAll(datagram) where message.sequence == request.sequence {
                    interrupted = interrupted || message.flags & Netlink.dumpInterrupted != 0
                    switch message.type {
                    case Netlink.error:
                        let acknowledgement = try NetlinkAcknowledgement(decoding: message)
                        guard acknowledgement.errno == 0 else {
                            throw .netlinkRequest(name, interface: interface, errno: acknowledgement.errno, reason: acknowledgement.reason)
                        }
                        return (replies, interrupted)
                    case Netlink.done:
                        if message.payload.count >= 4, case let status = message.payload.hostOrder(Int32.self, at: 0), status < 0 {
                            throw .netlinkRequest(name, interface: interface, errno: -status, reason: nil)
                        }
                        return (replies, interrupted)
                    case Netlink.overrun:
                        throw .netlinkRequest(name, interface: interface, errno: ENOBUFS, reason: "NLMSG_OVERRUN")
                    case Netlink.noop:
                        continue
                    default:
                        replies.append(message)
                    }
                }
            }
        }
    }
}

extension SharedSocket {
    /// Binds a netlink socket to a kernel-chosen port, subscribed to the `RTMGRP_*` `groups`.
    func bindNetlink(groups: UInt32) throws(NetworkError) {
        var address = sockaddr_nl()
        address.nl_family = sa_family_t(AF_NETLINK)
        address.nl_groups = groups
        try withDescriptor { (descriptor) throws(NetworkError) in
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_nl>.size)) }
            }
            guard result == 0 else { throw failure("bind(AF_NETLINK, groups \(groups))") }
        }
    }

    /// Reads one netlink datagram; nil when none arrived (`EAGAIN`: `MSG_DONTWAIT`, or the
    /// receive timeout expired). A datagram larger than the 64 KiB buffer is an error.
    func receiveNetlink(_ descriptor: Int32, flags: Int32) throws(NetworkError) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var count: Int
        repeat {
            count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, flags | Int32(MSG_TRUNC)) }
        } while count < 0 && errno == EINTR
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw failure("recv(\(purpose))")
        }
        guard count <= buffer.count else {
            throw .malformedNetlinkMessage("a \(count)-byte datagram did not fit the \(buffer.count)-byte buffer")
        }
        buffer.removeSubrange(count...)
        return buffer
    }
}
