import CVipdSys
import VipdCore
import VipdVRRPPacket

#if canImport(Glibc)
import Glibc
#endif

/// Tells the link that an address has moved to this interface: gratuitous ARP for IPv4,
/// unsolicited neighbour advertisements for IPv6, as keepalived sends them after taking over
/// a VIP. Writes whole Ethernet frames on an `AF_PACKET` socket (which receives nothing).
public final class AddressAnnouncer: Sendable {
    /// The interface the frames leave from; its hardware address is the one announced.
    public let interface: NetworkInterface
    private let socket: SharedSocket
    private let netlink: RouteNetlink

    /// Opens the packet socket in the calling thread's network namespace.
    /// - Throws: `invalidArgument` when the interface has no Ethernet address (not 6 bytes, or
    ///   all zero as on loopback).
    public init(interface: NetworkInterface) throws(NetworkError) {
        guard interface.hardwareAddress.count == 6, interface.hardwareAddress.contains(where: { $0 != 0 }) else {
            throw .invalidArgument("interface \(interface.name) has no Ethernet address to announce (hardware address '\(interface.hardwareAddressText)')")
        }
        self.interface = interface
        socket = try SharedSocket(
            domain: AF_PACKET, type: Int32(SOCK_RAW.rawValue), protocol: 0,
            purpose: "packet socket", interfaceName: interface.name, call: "socket(AF_PACKET, SOCK_RAW)"
        )
        netlink = try RouteNetlink()
    }

    /// Broadcasts a gratuitous ARP request for an IPv4 `address`: sender and target protocol
    /// address both `address`, sender hardware address the interface's.
    public func gratuitousARP(for address: IPAddress) throws(NetworkError) {
        guard address.family == .v4 else {
            throw .invalidArgument("gratuitous ARP on \(interface.name) needs an IPv4 address, not \(address)")
        }
        let frame = Self.gratuitousARPFrame(hardwareAddress: interface.hardwareAddress, address: address)
        try send(frame, etherType: UInt16(ETH_P_ARP), to: Self.broadcast, call: "sendto(gratuitous ARP for \(address))")
    }

    /// Sends an unsolicited neighbour advertisement for an IPv6 `address` to all nodes
    /// (ff02::1): override flag set, solicited flag clear, hop limit 255, the interface's
    /// hardware address in the target link-layer address option, from its link-local address.
    /// - Parameter isRouter: set the router flag; pass true when this node forwards IPv6
    ///   (keepalived follows the interface's `forwarding` sysctl), else neighbours that took
    ///   this node for a router would drop it from their router list.
    /// - Throws: `noLinkLocalAddress` while the interface has no usable link-local address.
    public func unsolicitedNeighborAdvertisement(for address: IPAddress, isRouter: Bool = false) throws(NetworkError) {
        guard address.family == .v6 else {
            throw .invalidArgument("neighbour advertisement on \(interface.name) needs an IPv6 address, not \(address)")
        }
        guard let source = try netlink.primaryAddress(interfaceIndex: interface.index, family: .v6) else {
            throw .noLinkLocalAddress(interface: interface.name)
        }
        let frame = Self.neighborAdvertisementFrame(
            hardwareAddress: interface.hardwareAddress, source: source, target: address, isRouter: isRouter
        )
        try send(frame, etherType: UInt16(ETH_P_IPV6), to: Self.allNodesMulticast, call: "sendto(neighbour advertisement for \(address))")
    }

    static let broadcast: [UInt8] = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
    /// 33:33:00:00:00:01, the Ethernet address of ff02::1.
    static let allNodesMulticast: [UInt8] = [0x33, 0x33, 0x00, 0x00, 0x00, 0x01]

    /// Ethernet (to broadcast) + ARP request (RFC 826): hardware type 1, protocol 0x0800,
    /// opcode 1, sender = target = `address`, target hardware address broadcast as keepalived sends it.
    static func gratuitousARPFrame(hardwareAddress: [UInt8], address: IPAddress) -> [UInt8] {
        var frame = ethernetHeader(destination: broadcast, source: hardwareAddress, etherType: UInt16(ETH_P_ARP))
        frame.appendNetworkOrder(UInt16(ARPHRD_ETHER))
        frame.appendNetworkOrder(UInt16(ETH_P_IP))
        frame += [6, 4]
        frame.appendNetworkOrder(UInt16(ARPOP_REQUEST))
        frame += hardwareAddress + address.bytes + broadcast + address.bytes
        return frame
    }

    /// Ethernet (to 33:33:00:00:00:01) + IPv6 (hop limit 255, to ff02::1) + ICMPv6 neighbour
    /// advertisement (RFC 4861 §4.4) with the target link-layer address option.
    static func neighborAdvertisementFrame(hardwareAddress: [UInt8], source: IPAddress, target: IPAddress, isRouter: Bool) -> [UInt8] {
        let destination = IPAddress("ff02::1")!
        let routerFlag: UInt32 = 0x8000_0000
        let overrideFlag: UInt32 = 0x2000_0000
        var advertisement: [UInt8] = [UInt8(ND_NEIGHBOR_ADVERT), 0, 0, 0]
        advertisement.appendNetworkOrder(overrideFlag | (isRouter ? routerFlag : 0))
        advertisement += target.bytes
        advertisement += [UInt8(ND_OPT_TARGET_LINKADDR), 1] + hardwareAddress
        let checksum = InternetChecksum.ipv6(source: source, destination: destination, nextHeader: UInt8(IPPROTO_ICMPV6), message: advertisement)
        advertisement[2] = UInt8(checksum >> 8)
        advertisement[3] = UInt8(checksum & 0xff)

        var frame = ethernetHeader(destination: allNodesMulticast, source: hardwareAddress, etherType: UInt16(ETH_P_IPV6))
        frame.appendNetworkOrder(UInt32(0x6000_0000))  // version 6, traffic class 0, flow label 0
        frame.appendNetworkOrder(UInt16(advertisement.count))
        frame += [UInt8(IPPROTO_ICMPV6), 255]
        frame += source.bytes + destination.bytes + advertisement
        return frame
    }

    private static func ethernetHeader(destination: [UInt8], source: [UInt8], etherType: UInt16) -> [UInt8] {
        var header = destination + source
        header.appendNetworkOrder(etherType)
        return header
    }

    private func send(_ frame: [UInt8], etherType: UInt16, to hardwareDestination: [UInt8], call: String) throws(NetworkError) {
        var address = sockaddr_ll()
        address.sll_family = UInt16(AF_PACKET)
        address.sll_protocol = etherType.bigEndian
        address.sll_ifindex = interface.index
        address.sll_halen = 6
        withUnsafeMutableBytes(of: &address.sll_addr) { $0.copyBytes(from: hardwareDestination) }
        try socket.withDescriptor { (descriptor) throws(NetworkError) in
            let sent = withUnsafePointer(to: &address) { address in
                address.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
                    frame.withUnsafeBytes { sendto(descriptor, $0.baseAddress, $0.count, 0, address, socklen_t(MemoryLayout<sockaddr_ll>.size)) }
                }
            }
            guard sent == frame.count else { throw socket.failure(call) }
        }
    }
}
