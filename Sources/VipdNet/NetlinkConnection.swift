import CVipdSys
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// One netlink socket for synchronous requests to the kernel (rtnetlink, ctnetlink): each
/// request is sent with a fresh sequence number and its answers are read until the kernel's
/// acknowledgement or end of dump, with a 5-second limit. Requests are serialised. The socket
/// belongs to the network namespace of the thread that created the object.
final class NetlinkConnection: Sendable {
    /// How long a request waits for the kernel's answer before failing with `ETIMEDOUT`.
    static let answerTimeout = timeval(tv_sec: 5, tv_usec: 0)

    private let socket: SharedSocket
    private let sequence = Atomic<UInt32>(1)

    /// Opens and binds a socket of netlink `protocol`, asking for extended acknowledgements (the
    /// kernel's reason text in errors) without the echo of the whole request.
    init(protocol: Int32, purpose: String, call: String) throws(NetworkError) {
        socket = try SharedSocket(
            domain: AF_NETLINK, type: Int32(SOCK_RAW.rawValue), protocol: `protocol`, purpose: purpose, interfaceName: nil, call: call)
        try socket.bindNetlink(groups: 0)
        try socket.setOption(level: SOL_SOCKET, SO_RCVTIMEO, Self.answerTimeout, name: "SO_RCVTIMEO")
        try socket.setOption(level: SOL_NETLINK, NETLINK_EXT_ACK, Int32(1), name: "NETLINK_EXT_ACK")
        try socket.setOption(level: SOL_NETLINK, NETLINK_CAP_ACK, Int32(1), name: "NETLINK_CAP_ACK")
    }

    /// Sends `request` and collects its answers, repeating a dump the kernel marks as
    /// interrupted by concurrent changes (`NLM_F_DUMP_INTR`) up to three times.
    func perform(_ request: NetlinkMessage, name: String, interface: String?) throws(NetworkError) -> [NetlinkMessage] {
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
                            throw .netlinkRequest(name, interface: interface, errno: 0 &- status, reason: nil)
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

    /// Reads every notification waiting on a subscribed netlink socket, without blocking, handing
    /// each datagram to `datagram`; `lost` runs when the kernel dropped some because the socket
    /// buffer was full (`ENOBUFS`). Returns when none is left or the socket is closed.
    func drainNotifications(logger: Logger, lost: () -> Void, datagram: ([UInt8]) -> Void) {
        while true {
            let received: [UInt8]?
            do {
                received = try withDescriptor { (descriptor) throws(NetworkError) in
                    try receiveNetlink(descriptor, flags: Int32(MSG_DONTWAIT))
                }
            } catch .systemCall(_, _, ENOBUFS) {
                lost()
                continue
            } catch .closed {
                return
            } catch {
                logger.error("\(error)")
                return
            }
            guard let received else { return }
            datagram(received)
        }
    }
}
