import CVipdSys
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Watches the addresses of every interface: each address added or removed, by vipd or by any
/// other program (`ip addr del`, `ip addr flush`, systemd-networkd, NetworkManager, `ifdown`).
/// Subscribes to `RTMGRP_IPV4_IFADDR` and `RTMGRP_IPV6_IFADDR` on its own netlink socket and reads
/// it on a background thread.
///
/// Notifications are events, not state: a consumer that must know what is on an interface reads
/// it (`RouteNetlink.addresses`) when told something changed.
public final class AddressMonitor: Sendable {
    /// One element per notification, or `.lost` when the kernel dropped some because the socket
    /// buffer was full (every address may have changed since). Ends after `stop()`. Single consumer.
    public let changes: AsyncStream<AddressChange>
    private let socket: SharedSocket
    private let continuation: AsyncStream<AddressChange>.Continuation

    /// Subscribes in the calling thread's network namespace and starts the reader thread.
    public init() throws(NetworkError) {
        let (changes, continuation) = AsyncStream.makeStream(of: AddressChange.self, bufferingPolicy: .bufferingNewest(1024))
        self.changes = changes
        self.continuation = continuation
        let socket = try SharedSocket(
            domain: AF_NETLINK, type: Int32(SOCK_RAW.rawValue), protocol: NETLINK_ROUTE,
            purpose: "address monitor", interfaceName: nil, call: "socket(AF_NETLINK, NETLINK_ROUTE)")
        self.socket = socket
        try socket.bindNetlink(groups: UInt32(RTMGRP_IPV4_IFADDR) | UInt32(RTMGRP_IPV6_IFADDR))
        let logger = Logger(label: "vipd.net.address-monitor")
        try ReaderThread.start(
            socket: socket,
            onReadable: { Self.drain(socket, into: continuation, logger: logger) },
            onExit: { continuation.finish() })
        continuation.onTermination = { _ in socket.close() }
    }

    deinit { stop() }

    /// Stops watching: closes the socket and ends `changes` at once; the reader thread exits
    /// at once. Safe to call more than once.
    public func stop() {
        socket.close()
        continuation.finish()
    }

    /// The address changes one notification datagram carries, in order; messages of other types
    /// are skipped. Throws on a datagram or message the kernel would never send.
    public static func changes(inNotification datagram: [UInt8]) throws(NetworkError) -> [AddressChange] {
        var changes: [AddressChange] = []
        for message in try NetlinkMessage.parseAll(datagram) {
            switch message.type {
            case Netlink.newAddress: changes.append(.added(try InterfaceAddress(message: AddressMessage(decoding: message.payload))))
            case Netlink.deleteAddress: changes.append(.removed(try InterfaceAddress(message: AddressMessage(decoding: message.payload))))
            default: continue
            }
        }
        return changes
    }

    /// Reads every waiting notification; a full socket buffer (`ENOBUFS`) becomes `.lost`.
    private static func drain(_ socket: SharedSocket, into continuation: AsyncStream<AddressChange>.Continuation, logger: Logger) {
        socket.drainNotifications(logger: logger, lost: { continuation.yield(.lost) }) { datagram in
            do {
                for change in try changes(inNotification: datagram) { continuation.yield(change) }
            } catch {
                logger.error("ignoring an address notification: \(error)")
            }
        }
    }
}

/// One notification of an `AddressMonitor`.
public enum AddressChange: Sendable, Equatable {
    /// `RTM_NEWADDR`: an address was added (or its flags or lifetimes changed).
    case added(InterfaceAddress)
    /// `RTM_DELADDR`: an address was removed.
    case removed(InterfaceAddress)
    /// Notifications were lost (the socket buffer overflowed): read the addresses afresh.
    case lost
}
