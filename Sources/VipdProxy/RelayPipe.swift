import CVipdSys
#if canImport(Glibc)
import Glibc
#endif

/// One direction of a relayed connection with its sockets: carries out what its ``RelayDirection``
/// decides, with `recv`, `send` and `shutdown`. A read goes into the loop's shared read buffer and is
/// sent at once; only the bytes the sink does not take are copied into a buffer of the pipe's own,
/// freed once sent, so an idle connection holds no buffer.
struct RelayPipe {
    /// How a pump ended, beyond the bytes it moved.
    enum Outcome: Equatable {
        /// Nothing more to do until epoll reports a change.
        case waiting
        /// The source's input ended during this pump (it is passed on, or will be once the bytes before it are).
        case inputEnded
        /// A system call on the source failed.
        case sourceFailed
        /// A system call on the sink failed.
        case sinkFailed
    }

    var direction = RelayDirection()
    var source: CInt
    var sink: CInt
    /// The bytes the sink did not take, when there are any (`held` + `heldOffset`, `direction.waitingBytes` long).
    private var held: UnsafeMutableRawPointer?
    private var heldOffset = 0

    init(source: CInt, sink: CInt) {
        self.source = source
        self.sink = sink
    }

    /// Moves bytes from the source to the sink until either would block; passes the end of input on as
    /// a shutdown of the sink for writing, unless `sinkClosesNext` (the other direction is over, so the
    /// connection closes now, which says the same). Adds the bytes read to `bytesRead`.
    mutating func pump(readBuffer: UnsafeMutableRawBufferPointer, sinkClosesNext: Bool, bytesRead: inout Int) -> Outcome {
        var outcome = Outcome.waiting
        // Where the waiting bytes are: the read buffer right after a read, else the pipe's own buffer.
        var pending: UnsafeRawPointer? = held.map { UnsafeRawPointer($0 + heldOffset) }
        while true {
            switch direction.nextStep() {
            case .receive:
                let count = recv(source, readBuffer.baseAddress, readBuffer.count, 0)
                if count < 0 {
                    guard errno == EAGAIN || errno == EINTR else { return .sourceFailed }
                    if errno == EAGAIN { direction.receiveWouldBlock() }
                    continue
                }
                direction.received(count, of: readBuffer.count)
                bytesRead &+= count
                pending = UnsafeRawPointer(readBuffer.baseAddress)
                if direction.inputEnded { outcome = .inputEnded }
            case .send:
                let waiting = direction.waitingBytes
                let count = send(sink, pending, waiting, CInt(MSG_NOSIGNAL))
                if count < 0 {
                    guard errno == EAGAIN || errno == EINTR else { return .sinkFailed }
                    if errno == EAGAIN { direction.sendWouldBlock() }
                    continue
                }
                direction.sent(count)
                pending = pending.map { $0 + count }
                if held != nil {
                    heldOffset += count
                    if direction.waitingBytes == 0 { releaseHeld() }
                }
            case .shutDownSink:
                direction.forwardedEndOfInput()
                if !sinkClosesNext, shutdown(sink, CInt(SHUT_WR)) != 0, errno != ENOTCONN { return .sinkFailed }
            case .wait:
                if direction.waitingBytes > 0, held == nil, let pending {
                    // The sink is full: keep the rest out of the shared read buffer, which the next read reuses.
                    let copy = UnsafeMutableRawPointer.allocate(byteCount: direction.waitingBytes, alignment: 16)
                    copy.copyMemory(from: pending, byteCount: direction.waitingBytes)
                    held = copy
                    heldOffset = 0
                }
                return outcome
            }
        }
    }

    /// Stops reading; what waits is still sent.
    mutating func pause() {
        direction.pause()
    }

    /// Frees the pipe's own buffer (the connection closes, or it was all sent).
    mutating func releaseHeld() {
        held?.deallocate()
        held = nil
        heldOffset = 0
    }
}
