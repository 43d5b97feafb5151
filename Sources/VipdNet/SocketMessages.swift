import CVipdSys

#if canImport(Glibc)
import Glibc
#endif

/// One ancillary-data item of `sendmsg`/`recvmsg` (`struct cmsghdr` and its data).
struct ControlMessage: Sendable {
    /// `cmsg_level`, e.g. `IPPROTO_IPV6`.
    var level: Int32
    /// `cmsg_type`, e.g. `IPV6_PKTINFO`.
    var type: Int32
    var data: [UInt8]
}

/// What one `recvmsg` returned.
struct ReceivedMessage: Sendable {
    /// The datagram (for a raw IPv4 socket, starting with the IP header).
    var payload: [UInt8]
    /// The sender's address (`msg_name`), as a `sockaddr_storage`.
    var sender: sockaddr_storage
    /// The ancillary data the socket options asked for.
    var controls: [ControlMessage]

    /// The first control message of `level` and `type`.
    func control(level: Int32, type: Int32) -> ControlMessage? {
        controls.first { $0.level == level && $0.type == type }
    }
}

extension SharedSocket {
    /// `recvmsg` without blocking; nil when nothing is waiting (`EAGAIN`).
    func receiveMessage(_ descriptor: Int32) throws(NetworkError) -> ReceivedMessage? {
        var payload = [UInt8](repeating: 0, count: 65_536)
        var control = [UInt8](repeating: 0, count: 256)
        var sender = sockaddr_storage()
        var controls = [ControlMessage]()
        let count = payload.withUnsafeMutableBytes { payloadBytes in
            control.withUnsafeMutableBytes { controlBytes in
                withUnsafeMutableBytes(of: &sender) { senderBytes in
                    var vector = iovec(iov_base: payloadBytes.baseAddress, iov_len: payloadBytes.count)
                    return withUnsafeMutablePointer(to: &vector) { vector in
                        var header = msghdr(
                            msg_name: senderBytes.baseAddress, msg_namelen: socklen_t(senderBytes.count),
                            msg_iov: vector, msg_iovlen: 1,
                            msg_control: controlBytes.baseAddress, msg_controllen: controlBytes.count, msg_flags: 0
                        )
                        var count: Int
                        repeat {
                            count = recvmsg(descriptor, &header, Int32(MSG_DONTWAIT))
                        } while count < 0 && errno == EINTR
                        guard count >= 0 else { return count }
                        var item = cvipd_cmsg_firsthdr(&header)
                        while let current = item {
                            let length = Int(current.pointee.cmsg_len) - cvipd_cmsg_len(0)
                            let data = UnsafeRawBufferPointer(start: cvipd_cmsg_data(current), count: max(0, length))
                            controls.append(ControlMessage(level: current.pointee.cmsg_level, type: current.pointee.cmsg_type, data: Array(data)))
                            item = cvipd_cmsg_nxthdr(&header, current)
                        }
                        return count
                    }
                }
            }
        }
        if count < 0 {
            if errno == EAGAIN || errno == EWOULDBLOCK { return nil }
            throw failure("recvmsg(\(purpose))")
        }
        payload.removeSubrange(count...)
        return ReceivedMessage(payload: payload, sender: sender, controls: controls)
    }

    /// `sendmsg` of `payload` to the socket address `destination` (a `sockaddr_in` or
    /// `sockaddr_in6`) with one control message; `call` names the operation in errors.
    func sendMessage<Address>(
        _ payload: [UInt8], to destination: Address, control: ControlMessage, call: String
    ) throws(NetworkError) {
        var destination = destination
        var buffer = [UInt8](repeating: 0, count: cvipd_cmsg_space(control.data.count))
        try withDescriptor { (descriptor) throws(NetworkError) in
            let sent = payload.withUnsafeBytes { payloadBytes in
                buffer.withUnsafeMutableBytes { controlBytes in
                    withUnsafeMutableBytes(of: &destination) { destinationBytes in
                        var vector = iovec(iov_base: UnsafeMutableRawPointer(mutating: payloadBytes.baseAddress), iov_len: payloadBytes.count)
                        return withUnsafeMutablePointer(to: &vector) { vector in
                            var header = msghdr(
                                msg_name: destinationBytes.baseAddress, msg_namelen: socklen_t(destinationBytes.count),
                                msg_iov: vector, msg_iovlen: 1,
                                msg_control: controlBytes.baseAddress, msg_controllen: controlBytes.count, msg_flags: 0
                            )
                            let item = cvipd_cmsg_firsthdr(&header)!
                            item.pointee.cmsg_len = cvipd_cmsg_len(control.data.count)
                            item.pointee.cmsg_level = control.level
                            item.pointee.cmsg_type = control.type
                            control.data.withUnsafeBytes { data in
                                UnsafeMutableRawBufferPointer(start: cvipd_cmsg_data(item), count: data.count).copyMemory(from: data)
                            }
                            var sent: Int
                            repeat {
                                sent = sendmsg(descriptor, &header, 0)
                            } while sent < 0 && errno == EINTR
                            return sent
                        }
                    }
                }
            }
            guard sent == payload.count else { throw failure(call) }
        }
    }
}
