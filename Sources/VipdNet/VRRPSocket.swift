import CVipdSys
import Logging
import Synchronization
import VipdCore
import VipdVRRPPacket

#if canImport(Glibc)
import Glibc
#endif

/// A raw IP protocol 112 socket on one interface: sends VRRP messages and receives those of
/// the other routers, as keepalived does.
///
/// The socket is bound to the interface (`SO_BINDTODEVICE`) and sends with TTL / hop limit 255
/// without looping its own multicast back. It is not bound to `sourceAddress`: the kernel would
/// then deliver only packets addressed to it (an IPv4 raw socket bound to a unicast address gets
/// no multicast at all). Every packet instead carries the source in its `IP_PKTINFO` /
/// `IPV6_PKTINFO` control message, so multicast and unicast peers both reach the socket.
/// The caller computes the VRRP checksum (`IPV6_CHECKSUM` is not used).
public final class VRRPSocket: Sendable {
    /// IP protocol number 112 (RFC 5798).
    public static let protocolNumber: Int32 = 112

    /// IPv4 or IPv6.
    public let family: IPAddress.Family
    /// The interface the socket is bound to.
    public let interface: NetworkInterface
    /// The source address of every packet sent.
    public let sourceAddress: IPAddress
    /// The VRRP packets received, in arrival order, until `close()`. Keeps the newest 1024 when
    /// the consumer falls behind. Single consumer.
    public let datagrams: AsyncStream<VRRPDatagram>
    private let receiver: DatagramReceiver

    /// Opens the socket in the calling thread's network namespace and starts its reader thread.
    /// - Parameters:
    ///   - sourceAddress: IPv4: the interface's primary address; IPv6: its link-local address.
    ///   - joinMulticast: join 224.0.0.18 / ff02::12 on the interface (false for unicast peers).
    public init(family: IPAddress.Family, interface: NetworkInterface, sourceAddress: IPAddress, joinMulticast: Bool) throws(NetworkError) {
        guard sourceAddress.family == family else {
            throw .invalidArgument("VRRP socket on \(interface.name): source address \(sourceAddress) is not \(family == .v4 ? "IPv4" : "IPv6")")
        }
        self.family = family
        self.interface = interface
        self.sourceAddress = sourceAddress
        let socket = try SharedSocket(
            domain: family == .v4 ? AF_INET : AF_INET6, type: Int32(SOCK_RAW.rawValue), protocol: Self.protocolNumber,
            purpose: "VRRP socket", interfaceName: interface.name,
            call: "socket(\(family == .v4 ? "AF_INET" : "AF_INET6"), SOCK_RAW, 112)"
        )
        try socket.bindToDevice(interface.name)
        let group = VRRPPacketCodec.multicastGroup(family)
        if family == .v4 {
            var outgoing = ip_mreqn()
            outgoing.imr_ifindex = interface.index
            withUnsafeMutableBytes(of: &outgoing.imr_address) { $0.copyBytes(from: sourceAddress.bytes) }
            try socket.setOption(level: Int32(IPPROTO_IP), IP_MULTICAST_IF, outgoing, name: "IP_MULTICAST_IF \(sourceAddress)")
            try socket.setOption(level: Int32(IPPROTO_IP), IP_MULTICAST_TTL, Int32(255), name: "IP_MULTICAST_TTL 255")
            try socket.setOption(level: Int32(IPPROTO_IP), IP_TTL, Int32(255), name: "IP_TTL 255")
            try socket.setOption(level: Int32(IPPROTO_IP), IP_MULTICAST_LOOP, Int32(0), name: "IP_MULTICAST_LOOP 0")
            try socket.setOption(level: Int32(IPPROTO_IP), IP_PKTINFO, Int32(1), name: "IP_PKTINFO")
            if joinMulticast {
                var membership = ip_mreqn()
                membership.imr_ifindex = interface.index
                withUnsafeMutableBytes(of: &membership.imr_multiaddr) { $0.copyBytes(from: group.bytes) }
                try socket.setOption(level: Int32(IPPROTO_IP), IP_ADD_MEMBERSHIP, membership, name: "IP_ADD_MEMBERSHIP \(group)")
            }
        } else {
            let level = Int32(IPPROTO_IPV6)
            try socket.setOption(level: level, IPV6_MULTICAST_IF, interface.index, name: "IPV6_MULTICAST_IF")
            try socket.setOption(level: level, IPV6_MULTICAST_HOPS, Int32(255), name: "IPV6_MULTICAST_HOPS 255")
            try socket.setOption(level: level, IPV6_UNICAST_HOPS, Int32(255), name: "IPV6_UNICAST_HOPS 255")
            try socket.setOption(level: level, IPV6_MULTICAST_LOOP, Int32(0), name: "IPV6_MULTICAST_LOOP 0")
            try socket.setOption(level: level, IPV6_RECVPKTINFO, Int32(1), name: "IPV6_RECVPKTINFO")
            try socket.setOption(level: level, IPV6_RECVHOPLIMIT, Int32(1), name: "IPV6_RECVHOPLIMIT")
            if joinMulticast {
                var membership = ipv6_mreq()
                membership.ipv6mr_interface = UInt32(bitPattern: interface.index)
                withUnsafeMutableBytes(of: &membership.ipv6mr_multiaddr) { $0.copyBytes(from: group.bytes) }
                try socket.setOption(level: level, IPV6_JOIN_GROUP, membership, name: "IPV6_JOIN_GROUP \(group)")
            }
        }
        let (datagrams, continuation) = AsyncStream.makeStream(of: VRRPDatagram.self, bufferingPolicy: .bufferingNewest(1024))
        self.datagrams = datagrams
        receiver = DatagramReceiver(socket: socket, family: family, interface: interface, continuation: continuation)
        try ReaderThread.start(socket: socket, onReadable: receiver.drain, onExit: receiver.finish)
    }

    deinit { close() }

    /// Sends one VRRP message (checksum already filled in) to `destination`: the multicast
    /// group, or a unicast peer.
    /// - Throws: `NetworkError.closed` after `close()`; `.systemCall` naming `sendmsg`.
    public func send(_ message: [UInt8], to destination: IPAddress) throws(NetworkError) {
        guard destination.family == family else {
            throw .invalidArgument("VRRP socket on \(interface.name): destination \(destination) is not \(family == .v4 ? "IPv4" : "IPv6")")
        }
        let call = "sendmsg(\(message.count) bytes to \(destination) from \(sourceAddress))"
        if family == .v4 {
            var information = in_pktinfo()
            information.ipi_ifindex = interface.index
            withUnsafeMutableBytes(of: &information.ipi_spec_dst) { $0.copyBytes(from: sourceAddress.bytes) }
            let control = ControlMessage(level: Int32(IPPROTO_IP), type: IP_PKTINFO, data: withUnsafeBytes(of: information) { Array($0) })
            try receiver.socket.sendMessage(message, to: socketAddressV4(destination), control: control, call: call)
        } else {
            // struct in6_pktinfo: the source address, then the interface index.
            var information = sourceAddress.bytes
            information.appendHostOrder(UInt32(bitPattern: interface.index))
            let control = ControlMessage(level: Int32(IPPROTO_IPV6), type: IPV6_PKTINFO, data: information)
            try receiver.socket.sendMessage(message, to: socketAddressV6(destination, scopeID: interface.index), control: control, call: call)
        }
    }

    /// Every datagram read from the socket so far, including any that could not be decoded
    /// or were dropped because the consumer fell behind.
    public var receivedCount: Int {
        receiver.count.load(ordering: .relaxed)
    }

    /// Closes the socket and ends `datagrams` at once; the reader thread wakes and exits at once.
    /// Later sends throw `closed`. Safe to call more than once.
    public func close() {
        receiver.finish()
    }
}

/// The reader thread's side of a `VRRPSocket`: decodes what arrives and yields it.
private final class DatagramReceiver: Sendable {
    let socket: SharedSocket
    let count = Atomic<Int>(0)
    private let family: IPAddress.Family
    private let interface: NetworkInterface
    private let continuation: AsyncStream<VRRPDatagram>.Continuation
    private let logger = Logger(label: "vipd.net.vrrp-socket")

    init(socket: SharedSocket, family: IPAddress.Family, interface: NetworkInterface, continuation: AsyncStream<VRRPDatagram>.Continuation) {
        self.socket = socket
        self.family = family
        self.interface = interface
        self.continuation = continuation
    }

    /// Reads every waiting datagram.
    func drain() {
        while true {
            let received: ReceivedMessage?
            do {
                received = try socket.withDescriptor { (descriptor) throws(NetworkError) in try socket.receiveMessage(descriptor) }
            } catch .closed {
                return
            } catch {
                logger.warning("\(error)")
                return
            }
            guard let received else { return }
            count.wrappingAdd(1, ordering: .relaxed)
            if let datagram = family == .v4 ? decodeV4(received) : decodeV6(received) {
                continuation.yield(datagram)
            } else {
                logger.debug("ignoring a malformed \(received.payload.count)-byte packet on \(interface.name)")
            }
        }
    }

    /// Closes the socket and ends the stream.
    func finish() {
        socket.close()
        continuation.finish()
    }

    /// A raw IPv4 socket delivers the IP header, read by `IPHeader.ipv4`: TTL and source come
    /// from it; the destination and arrival interface from `IP_PKTINFO` (`struct in_pktinfo`:
    /// index, local, destination).
    private func decodeV4(_ received: ReceivedMessage) -> VRRPDatagram? {
        let packet = received.payload
        guard let header = try? IPHeader.ipv4(packet) else { return nil }
        var destination = header.destination
        var index = interface.index
        if let information = received.control(level: Int32(IPPROTO_IP), type: IP_PKTINFO)?.data,
           information.count >= MemoryLayout<in_pktinfo>.size, let local = IPAddress(bytes: information[8..<12]) {
            index = information.hostOrder(Int32.self, at: 0)
            destination = local
        }
        return VRRPDatagram(
            message: Array(packet[header.headerLength..<header.packetLength]), source: header.source,
            destination: destination, hopLimit: header.hopLimit, interfaceIndex: index
        )
    }

    /// A raw IPv6 socket delivers only the payload: source from the socket address, destination
    /// and interface from `IPV6_PKTINFO`, hop limit from `IPV6_HOPLIMIT`.
    private func decodeV6(_ received: ReceivedMessage) -> VRRPDatagram? {
        let level = Int32(IPPROTO_IPV6)
        let sender = withUnsafeBytes(of: received.sender) { $0.load(as: sockaddr_in6.self) }
        guard let source = withUnsafeBytes(of: sender.sin6_addr, { IPAddress(bytes: $0) }),
              let information = received.control(level: level, type: IPV6_PKTINFO)?.data, information.count >= 20,
              let destination = IPAddress(bytes: information[0..<16]),
              let hopLimit = received.control(level: level, type: IPV6_HOPLIMIT)?.data, hopLimit.count >= 4
        else { return nil }
        return VRRPDatagram(
            message: received.payload, source: source, destination: destination,
            hopLimit: Int(hopLimit.hostOrder(Int32.self, at: 0)), interfaceIndex: Int32(bitPattern: information.hostOrder(UInt32.self, at: 16))
        )
    }
}

extension SharedSocket {
    /// `SO_BINDTODEVICE`: send and receive only through the interface `name`.
    func bindToDevice(_ name: String) throws(NetworkError) {
        try withDescriptor { (descriptor) throws(NetworkError) in
            let result = name.withCString { setsockopt(descriptor, SOL_SOCKET, SO_BINDTODEVICE, $0, socklen_t(strlen($0) + 1)) }
            guard result == 0 else { throw failure("setsockopt(SO_BINDTODEVICE \(name))") }
        }
    }
}
