import CLinux
import Glibc

/// Bytes read from one end at a time, and so the most a pair holds per direction.
let relayBufferSize = 16 * 1024

/// One socket of a pair, what epoll last said about it, and the bytes read from it that the other end
/// has not taken yet (`buffer[start..<end]`).
struct End {
    let fd: Int32
    let buffer: UnsafeMutableRawPointer
    var start = 0
    var end = 0
    /// Epoll said readable, and no read since came back short.
    var readable = false
    /// Epoll said writable, and no send since came back short.
    var writable = false
    /// Epoll said the peer shut down writing: once what is queued is read, the input is over.
    var peerShut = false
    /// The input is read to its end.
    var inputEnded = false
    /// The input's end is passed on: the other socket is shut down for writing, or about to be closed.
    var inputForwarded = false

    init(fd: Int32, buffer: UnsafeMutableRawPointer) {
        self.fd = fd
        self.buffer = buffer
    }

    /// Takes in epoll's EVENTS for this socket.
    mutating func note(_ events: UInt32) {
        if events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0 { readable = true }
        if events & EPOLLRDHUP.rawValue != 0 { peerShut = true }
        if events & EPOLLOUT.rawValue != 0 { writable = true }
    }
}

/// A client connection glued to its own server connection. Both sockets are registered once, edge-triggered
/// for input, output and the peer's shutdown; `readable`/`writable` remember the edges until a system call
/// says otherwise. Each direction reads into its own fixed buffer and reads again only once the buffer is
/// all sent: a sink that takes nothing stops the reads from its source (backpressure), and an ended input
/// is passed on as a shutdown of the other socket for writing (half-close).
final class Pair {
    private var client: End
    private var server: End
    private var connected = false
    private(set) var closed = false

    /// Glues CLIENT to SERVER, whose connect is under way; both are owned by the pair from now on.
    init(client: Int32, server: Int32) {
        let buffers = UnsafeMutableRawPointer.allocate(byteCount: 2 * relayBufferSize, alignment: 16)
        self.client = End(fd: client, buffer: buffers)
        self.server = End(fd: server, buffer: buffers + relayBufferSize)
    }

    deinit { client.buffer.deallocate() }

    /// Handles epoll's EVENTS for the server socket (`isServer`) or the client socket; closes both
    /// sockets when the connect failed, a socket failed, or both directions are over.
    func handle(_ events: UInt32, isServer: Bool) {
        if events & EPOLLERR.rawValue != 0 { return close() }
        if isServer {
            if !connected {
                // The connect's outcome: writable once connected, an error (above) or a hang-up when it failed.
                guard events & EPOLLOUT.rawValue != 0, events & EPOLLHUP.rawValue == 0 else { return close() }
                connected = true
            }
            server.note(events)
        } else {
            client.note(events)
        }
        guard connected else { return }
        guard relay(from: &client, to: &server), relay(from: &server, to: &client) else { return close() }
        if client.inputForwarded && server.inputForwarded { close() }
    }

    /// Closes both sockets (which takes them out of the epoll set).
    func close() {
        closed = true
        _ = Glibc.close(client.fd)
        _ = Glibc.close(server.fd)
    }
}

/// Moves what SOURCE has to SINK until either would block, and passes SOURCE's end of input on;
/// false when a system call failed.
private func relay(from source: inout End, to sink: inout End) -> Bool {
    while true {
        if source.start < source.end {
            guard sink.writable else { return true }
            let sent = send(sink.fd, source.buffer + source.start, source.end - source.start, Int32(MSG_NOSIGNAL))
            if sent < 0 {
                guard errno == EAGAIN else { return false }
                sink.writable = false
                return true
            }
            source.start += sent
            if source.start < source.end {
                sink.writable = false
                return true
            }
            source.start = 0
            source.end = 0
        }
        if source.inputEnded {
            guard !source.inputForwarded else { return true }
            source.inputForwarded = true
            // When the other direction is over as well, the pair is closed next, which says the same.
            return sink.inputForwarded || shutdown(sink.fd, Int32(SHUT_WR)) == 0
        }
        guard source.readable else { return true }
        let received = recv(source.fd, source.buffer, relayBufferSize, 0)
        if received < 0 {
            guard errno == EAGAIN else { return false }
            source.readable = false
            return true
        }
        source.end = received
        if received < relayBufferSize {
            // A short read emptied the socket: epoll reports the next bytes as a new edge, and after the
            // peer's shutdown nothing more comes, so the read that would return 0 is not needed.
            source.readable = false
            source.inputEnded = received == 0 || source.peerShut
        }
    }
}
