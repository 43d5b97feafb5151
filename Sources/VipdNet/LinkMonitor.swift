import CVipdSys
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Watches interfaces for state changes: carrier lost or back, administratively up or down,
/// MTU or hardware-address changes, deletion. Subscribes to `RTMGRP_LINK` on its own netlink socket
/// and reads it on a background thread.
///
/// Create the monitor before reading an interface's current state, so no change falls between
/// the two. The stream carries only changes: the state at creation is the baseline.
public final class LinkMonitor: Sendable {
    /// The names of the interfaces watched.
    public let interfaceNames: Set<String>
    /// One element per state change of a watched interface: a new `NetworkInterface` value that
    /// differs from the previous one for that name. A deleted interface is reported once with
    /// `operationalState == .notPresent`. Ends after `stop()`. Single consumer.
    public let changes: AsyncStream<NetworkInterface>
    private let receiver: LinkReceiver

    /// Subscribes in the calling thread's network namespace and starts the reader thread.
    /// Watched interfaces need not exist yet; they are reported when they appear.
    public init(interfaceNames: Set<String>) throws(NetworkError) {
        self.interfaceNames = interfaceNames
        let (changes, continuation) = AsyncStream.makeStream(of: NetworkInterface.self, bufferingPolicy: .bufferingNewest(256))
        self.changes = changes
        let socket = try SharedSocket(
            domain: AF_NETLINK, type: Int32(SOCK_RAW.rawValue), protocol: NETLINK_ROUTE,
            purpose: "link monitor", interfaceName: interfaceNames.sorted().joined(separator: ","),
            call: "socket(AF_NETLINK, NETLINK_ROUTE)"
        )
        try socket.bindNetlink(groups: UInt32(RTMGRP_LINK))
        let receiver = LinkReceiver(socket: socket, netlink: try RouteNetlink(), names: interfaceNames, continuation: continuation)
        try receiver.synchronize(announce: false)
        try ReaderThread.start(socket: socket, onReadable: receiver.drain, onExit: receiver.finish)
        continuation.onTermination = { _ in socket.close() }
        self.receiver = receiver
    }

    deinit { stop() }

    /// Stops watching: closes the socket and ends `changes` at once; the reader thread exits
    /// at once. Safe to call more than once.
    public func stop() {
        receiver.finish()
    }
}

/// The reader thread's side of a `LinkMonitor`: decodes link notifications and yields changes.
private final class LinkReceiver: Sendable {
    private let socket: SharedSocket
    private let netlink: RouteNetlink
    private let names: Set<String>
    private let continuation: AsyncStream<NetworkInterface>.Continuation
    private let lastStates = Mutex<[String: NetworkInterface]>([:])
    private let logger = Logger(label: "vipd.net.link-monitor")

    init(socket: SharedSocket, netlink: RouteNetlink, names: Set<String>, continuation: AsyncStream<NetworkInterface>.Continuation) {
        self.socket = socket
        self.netlink = netlink
        self.names = names
        self.continuation = continuation
    }

    /// Reads every waiting notification. When the socket buffer overflowed (`ENOBUFS`), some
    /// were lost, so the current states are read afresh and the differences reported.
    func drain() {
        socket.drainNotifications(logger: logger) {
            logger.warning("link notifications were lost (socket buffer full); reading the interfaces again")
            do { try synchronize(announce: true) } catch { logger.error("\(error)") }
        } datagram: { datagram in
            do {
                for message in try NetlinkMessage.parseAll(datagram) {
                    switch message.type {
                    case Netlink.newLink: record(try NetworkInterface(link: LinkMessage(decoding: message.payload)))
                    case Netlink.deleteLink: record(try NetworkInterface(link: LinkMessage(decoding: message.payload)).deleted)
                    default: continue
                    }
                }
            } catch {
                logger.error("ignoring a link notification: \(error)")
            }
        }
    }

    /// Reads the current state of every watched interface; with `announce`, reports those that
    /// changed (and those that disappeared) since last seen.
    func synchronize(announce: Bool) throws(NetworkError) {
        let current = try netlink.interfaces().filter { names.contains($0.name) }
        let missing = lastStates.withLock { states in
            states.values.filter { last in last.operationalState != .notPresent && !current.contains { $0.name == last.name } }
        }
        for interface in current { record(interface, announce: announce) }
        for last in missing { record(last.deleted, announce: announce) }
    }

    /// Closes the socket and ends the stream; the reader thread then exits.
    func finish() {
        socket.close()
        continuation.finish()
    }

    private func record(_ interface: NetworkInterface, announce: Bool = true) {
        guard names.contains(interface.name) else { return }
        let changed = lastStates.withLock { states in
            defer { states[interface.name] = interface }
            return states[interface.name] != interface
        }
        if changed && announce { continuation.yield(interface) }
    }
}
