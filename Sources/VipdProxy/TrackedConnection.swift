import NIOCore
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// A client connection that ``ConnectionTracker`` follows from accept to close: an HTTP-mode
/// channel or a relayed TCP-mode connection. Each call may come from any thread.
protocol TrackedConnection: AnyObject, Sendable {
    /// The local address the connection was accepted on (a virtual address, for the resets when it leaves).
    var acceptedOn: IPAddress? { get }
    /// Asks the connection to finish: close after the exchange under way, or now when idle. A relayed
    /// session goes on (it has no exchanges to wait for); the drain's time limit ends it.
    func quiesce()
    /// Closes the connection.
    func close()
    /// Resets the connection (TCP RST, through SO_LINGER 0): its client learns at once that it is over.
    func reset()
}

/// An HTTP-mode client channel, as the tracker sees it; it tells the tracker when it closes.
final class TrackedChannel: TrackedConnection {
    let channel: Channel
    let acceptedOn: IPAddress?

    init(_ channel: Channel) {
        self.channel = channel
        acceptedOn = channel.localAddress?.ipAddress.flatMap(IPAddress.init)
    }

    func quiesce() {
        let channel = channel
        channel.eventLoop.execute { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
    }

    func close() {
        channel.close(promise: nil)
    }

    func reset() {
        let channel = channel
        guard let socket = channel as? any SocketOptionProvider else {
            channel.close(promise: nil)
            return
        }
        socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in channel.close(promise: nil) }
    }
}
