/// One direction of a relayed TCP connection (client to server, or server to client), as a value:
/// what epoll last said about its source and its sink, the bytes read and not yet sent, and how far
/// the end of input has travelled. Pure: ``nextStep()`` says what to do, and the relay does it and
/// reports the outcome; no system call or clock is touched here.
///
/// The rules: bytes are read only while none are waiting (backpressure: a sink that takes nothing
/// stops the reads from its source, so a direction holds at most one read); a short read empties the
/// socket, and after the peer's shutdown it is the last one; the end of input is passed on as a
/// shutdown of the sink for writing once every byte before it is sent (half-close); a paused
/// direction sends what it holds but reads no more.
struct RelayDirection: Equatable {
    /// What the relay does next for this direction.
    enum Step: Equatable {
        /// Read from the source (at most the relay's read size).
        case receive
        /// Send the waiting bytes to the sink.
        case send
        /// Shut the sink down for writing: the source's input ended and every byte before it was sent.
        case shutDownSink
        /// Nothing until epoll reports a change (or the direction is resumed).
        case wait
    }

    /// Epoll said the source is readable, and no read since came back short or would block.
    private(set) var sourceReadable = false
    /// Epoll said the peer shut its side down: once what is queued is read, the input is over.
    private(set) var peerShutDown = false
    /// Epoll said the sink is writable, and no send since came back short or would block.
    private(set) var sinkWritable = false
    /// Bytes read from the source that the sink has not taken yet.
    private(set) var waitingBytes = 0
    /// The source's input is read to its end.
    private(set) var inputEnded = false
    /// The end of input was passed on (the sink is shut down for writing, or about to be closed).
    private(set) var inputForwarded = false
    /// No read is made (the connection is being handed to another process).
    private(set) var paused = false

    /// Whether this direction is over: its end of input passed on and nothing left to send.
    var isFinished: Bool { inputForwarded && waitingBytes == 0 }

    /// Whether nothing is waiting to be sent: a paused direction in this state holds no byte.
    var isSettled: Bool { waitingBytes == 0 }

    /// Takes in epoll's readiness for the source: readable, and whether the peer shut its side down
    /// (EPOLLRDHUP; a hang-up says the same).
    mutating func sourceReady(peerShutDown: Bool) {
        sourceReadable = true
        if peerShutDown { self.peerShutDown = true }
    }

    /// Takes in epoll's readiness for the sink: writable.
    mutating func sinkReady() {
        sinkWritable = true
    }

    /// Stops reading; what is waiting is still sent.
    mutating func pause() {
        paused = true
    }

    /// What to do next.
    func nextStep() -> Step {
        if waitingBytes > 0 { return sinkWritable ? .send : .wait }
        if inputEnded { return inputForwarded ? .wait : .shutDownSink }
        return sourceReadable && !paused ? .receive : .wait
    }

    /// A read returned `count` bytes (0 at the end of input) when `capacity` were asked for.
    mutating func received(_ count: Int, of capacity: Int) {
        precondition(count >= 0 && count <= capacity && waitingBytes == 0, "a read while bytes wait, or an impossible count")
        waitingBytes = count
        if count == 0 {
            sourceReadable = false
            inputEnded = true
        } else if count < capacity {
            // A short read emptied the socket: the next bytes come as a new edge, and after the peer's
            // shutdown nothing more comes, so the read that would return 0 is not needed.
            sourceReadable = false
            if peerShutDown { inputEnded = true }
        }
    }

    /// A read would block: the socket is empty until the next edge.
    mutating func receiveWouldBlock() {
        sourceReadable = false
    }

    /// A send took `count` of the waiting bytes; a short send means the sink is full until the next edge.
    mutating func sent(_ count: Int) {
        precondition(count >= 0 && count <= waitingBytes, "more sent than waited")
        waitingBytes -= count
        if waitingBytes > 0 { sinkWritable = false }
    }

    /// A send would block: the sink is full until the next edge.
    mutating func sendWouldBlock() {
        sinkWritable = false
    }

    /// The end of input was passed on to the sink.
    mutating func forwardedEndOfInput() {
        precondition(inputEnded && waitingBytes == 0, "the end of input passed on before the bytes before it")
        inputForwarded = true
    }
}
