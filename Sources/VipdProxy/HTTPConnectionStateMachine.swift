/// The decisions of one HTTP-mode client connection (`HTTPProxyHandler`) as a pure value: no I/O,
/// no timers, no clock. The handler feeds it what happened (a request head, a server connection, a
/// response head, the end of a response, a timeout, a close…) and carries out the returned action in
/// its `run(_:)`; buffers, write coalescing, flushing and flow control stay with the handler.
///
/// It decides: whether a request may go on a parked server connection; whether a server that
/// dropped the connection before responding is tried again (a parked connection closed as it was
/// taken: on a new connection; a request that can be sent again unchanged: on the next server), or
/// answered 502, and a silent server 504; after the response head has gone out, that a failure only
/// cuts the connection; whether the client connection stays open after a response (the client's
/// wish, a framing the client can read, and a client still sending); whether the server connection
/// is parked (and held by this client) or closed; when the next pipelined request may be read; and
/// when a `101` turns the connection into a tunnel.
///
/// An event that cannot happen in the current state (the handler never sends it there) is ignored:
/// the state stays and the action is `.none`.
///
/// Actions are plain values (no payload to retain or release): what the handler already holds (the
/// response head, a failure's wording) stays with it.
struct HTTPConnectionStateMachine {
    /// What has been decided about the request in flight.
    struct Request: Equatable {
        /// Whether the client connection stays open after the response: the client's wish at first,
        /// then also whether the client can tell where the response ends.
        var keepAlive: Bool
        /// The request asks to switch protocols: a `101` answer makes the connection a tunnel.
        let asksUpgrade: Bool
        /// The client speaks HTTP/1.1 (not 1.0): it takes interim responses and chunks.
        let clientTakesHTTP11: Bool
        /// The request may go on a parked server connection: it can be sent again unchanged (an
        /// idempotent method without a body) if the server closed that connection meanwhile.
        let mayUseParkedConnection: Bool
        /// The client has sent the whole request (head and body).
        var ended = false
        /// A parked connection failed this request: the next attempt opens a new one.
        var avoidsParkedConnections = false
        /// The attached server connection is a parked one used again.
        var reusedConnection = false
        /// The response leaves the server connection able to carry another request.
        var serverKeepsConnection = false
        /// The server connection reported an error: it is not parked.
        var serverFailed = false
    }

    /// What remains of a connection being closed, to be logged when it ends.
    enum Abandoned: Equatable {
        /// A request whose response did not end.
        case request
        /// A tunnel (its access line has status 101 and no error).
        case tunnel
    }

    enum State: Equatable {
        /// No request in flight: the next request head is read (pipelined ones waited until now).
        /// `firstRequest`: none was read yet on this connection.
        case awaitingHead(firstRequest: Bool)
        /// A request waits for a server connection (connecting, or trying again).
        case awaitingServer(Request)
        /// The request went to a server connection; no final response head yet.
        case awaitingResponse(Request)
        /// The response head went to the client; its body follows.
        case streaming(Request)
        /// The server switched protocols: bytes pass both ways unread until either side closes.
        case tunnelling
        /// Nothing more is read or answered; `abandoned` is what the close leaves to log.
        case closing(abandoned: Abandoned?)
    }

    /// Why vipd answers a request itself, or cuts a response.
    enum Failure: Equatable {
        /// A request vipd refuses (malformed, smuggling-prone, too large).
        case rejected
        /// A TLS handshake on this plain HTTP listener.
        case tlsHandshake
        /// No complete request head within the request timeout.
        case requestTimeout
        /// No server is up.
        case noServer
        /// Every server tried refused or timed out the connection, or its connection could not be set up.
        case connectFailed
        /// The server dropped the connection before the response ended.
        case serverClosed
        /// No byte from the server for the server timeout.
        case serverTimeout
    }

    /// Why a request was cut when its client connection ended, as the access log's `error=` says.
    enum CutReason: Equatable {
        case clientClosed
        case idleTimeout

        var logText: String {
            switch self {
            case .clientClosed: "client-closed"
            case .idleTimeout: "idle-timeout"
            }
        }
    }

    /// What the handler must do.
    enum Action: Equatable {
        case none
        /// Give the request a server connection (a parked one allowed when `reusingIdle`).
        case connect(reusingIdle: Bool)
        /// Send the request on the server connection just attached.
        case sendRequest
        /// Close the server connection just attached: the request no longer needs it.
        case dropServer
        /// The parked connection used closed before responding: let it go and send the request on a
        /// new connection (reading the client again when `resumeReading`).
        case reconnect(resumeReading: Bool)
        /// The server closed the connection before responding: count a retry, let the server go,
        /// read the client again, and send the request to the next server.
        case retry(reusingIdle: Bool)
        /// The response ended: let the server connection go (parked when `parkServer`, held by this
        /// client when also `keepOpen`), log the request, then read the next request (`keepOpen`)
        /// or close once all is sent.
        case finish(parkServer: Bool, keepOpen: Bool)
        /// Answer `failure` with vipd's own response, log it, and close once it is sent.
        case answer(Failure)
        /// `failure` in the middle of the response: log it and cut the connection.
        case cut(Failure)
        /// Close the connection now, letting go of any server connection.
        case close
        /// The client connection failed: mark the request, log the error, close.
        case closeAfterClientError
        /// The client sends nothing more: tell the tunnel's server (half-close its output).
        case halfCloseServer
        /// The client connection ended: let the request's server go and log the request, marked as
        /// cut for `cut` (nil for a tunnel, which simply ended).
        case abandonRequest(cut: CutReason?)
        /// The client connection ended with part of a request head unanswered: log it as `<BADREQ>`.
        case logIncompleteRequest(cut: CutReason)
    }

    /// What to do with a final response head.
    enum ResponseHeadAction: Equatable {
        /// Pass it on, saying whether the client connection stays open.
        case forward(keepAlive: Bool)
        /// Pass the `101` on and from now on forward bytes both ways unread.
        case switchProtocols
        /// Nothing (no request waits for it).
        case ignore
    }

    private(set) var state: State = .awaitingHead(firstRequest: true)
    /// The client sends nothing more (it half-closed).
    private(set) var clientInputClosed = false
    /// Set when vipd cut the connection (the idle timeout); a client close otherwise.
    private var cutReason: CutReason?
    /// `server_reuse: safe`: server connections may be parked and reused.
    private let reusesServerConnections: Bool
    /// The listener's `retries`: how many times a request may go to another server.
    private let maxRetries: Int

    init(reusesServerConnections: Bool, maxRetries: Int) {
        self.reusesServerConnections = reusesServerConnections
        self.maxRetries = maxRetries
    }

    /// Whether the connection is being closed: nothing more is read or answered.
    var isClosing: Bool {
        if case .closing = state { return true }
        return false
    }

    /// Whether a request head may be read now (no request in flight: pipelined ones wait).
    var awaitsHead: Bool {
        if case .awaitingHead = state { return true }
        return false
    }

    /// Whether the connection is a tunnel.
    var isTunnelling: Bool { state == .tunnelling }

    // MARK: The client

    /// A valid request head was read. `mayUseParkedConnection`: idempotent and without a body.
    mutating func headReceived(
        keepAlive: Bool, asksUpgrade: Bool, clientMinorVersion: Int, mayUseParkedConnection: Bool
    ) -> Action {
        guard awaitsHead else { return .none }
        let request = Request(
            keepAlive: keepAlive, asksUpgrade: asksUpgrade, clientTakesHTTP11: clientMinorVersion >= 1,
            mayUseParkedConnection: mayUseParkedConnection)
        state = .awaitingServer(request)
        return .connect(reusingIdle: reusingIdle(for: request))
    }

    /// A request head was read and refused.
    mutating func headRejected() -> Action {
        guard awaitsHead else { return .none }
        state = .closing(abandoned: nil)
        return .answer(.rejected)
    }

    /// A TLS handshake came where a request head should start.
    mutating func tlsHandshakeReceived() -> Action {
        guard awaitsHead else { return .none }
        state = .closing(abandoned: nil)
        return .answer(.tlsHandshake)
    }

    /// Request bytes that are not valid HTTP/1.1 (a head, or the body of the request in flight).
    mutating func requestUnreadable() -> Action {
        switch state {
        case .awaitingHead, .awaitingServer, .awaitingResponse:
            state = .closing(abandoned: nil)
            return .answer(.rejected)
        case .streaming:
            state = .closing(abandoned: .request)
            return .cut(.rejected)
        case .tunnelling:
            state = .closing(abandoned: .tunnel)
            return .cut(.rejected)
        case .closing:
            return .none
        }
    }

    /// The client has sent the whole request (nothing to do but remember it).
    mutating func requestEnded() {
        changeRequest(waitingForServer: true) { $0.ended = true }
    }

    /// After a response ended and the waiting request bytes were read: a client that sends nothing
    /// more and started no new request is closed.
    mutating func waitingRequestsRead() -> Action {
        guard awaitsHead, clientInputClosed else { return .none }
        state = .closing(abandoned: nil)
        return .close
    }

    /// The client half-closed its connection: it sends nothing more.
    mutating func clientInputEnded() -> Action {
        clientInputClosed = true
        switch state {
        case .awaitingHead:
            state = .closing(abandoned: nil)
            return .close
        case .closing(abandoned: nil):
            return .close
        case .tunnelling, .closing(abandoned: .tunnel):
            return .halfCloseServer
        case .awaitingServer, .awaitingResponse, .streaming, .closing(abandoned: .request):
            return .none
        }
    }

    /// The client connection reported an error.
    mutating func clientFailed() -> Action {
        guard !isClosing else { return .none }
        state = .closing(abandoned: abandonedByClose)
        return .closeAfterClientError
    }

    /// The client connection ended (whoever closed it).
    mutating func clientClosed(hasWaitingRequestBytes: Bool) -> Action {
        let cut = cutReason ?? .clientClosed
        let action: Action
        switch state {
        case .awaitingHead, .closing(abandoned: nil):
            action = hasWaitingRequestBytes ? .logIncompleteRequest(cut: cut) : .none
        case .awaitingServer, .awaitingResponse, .streaming, .closing(abandoned: .request):
            action = .abandonRequest(cut: cut)
        case .tunnelling, .closing(abandoned: .tunnel):
            action = .abandonRequest(cut: nil)
        }
        state = .closing(abandoned: nil)
        return action
    }

    // MARK: Timeouts

    /// The request timeout ran out. Between requests, a first request's wait or a next request begun
    /// (`hasWaitingRequestBytes`) is answered 408; a kept-alive connection with nothing of a next
    /// request simply ends.
    mutating func requestTimedOut(hasWaitingRequestBytes: Bool) -> Action {
        guard case .awaitingHead(let firstRequest) = state else { return .none }
        state = .closing(abandoned: nil)
        return firstRequest || hasWaitingRequestBytes ? .answer(.requestTimeout) : .close
    }

    /// No byte moved either way for the listener's idle timeout: the connection is closed, and a
    /// request it cuts is logged as cut by the timeout.
    mutating func idleTimedOut() -> Action {
        cutReason = .idleTimeout
        state = .closing(abandoned: abandonedByClose)
        return .close
    }

    // MARK: The server

    /// The connector found no server up (`noServer`), or none accepted the connection.
    mutating func connectFailed(noServer: Bool) -> Action {
        guard case .awaitingServer = state else { return .none }
        state = .closing(abandoned: nil)
        return .answer(noServer ? .noServer : .connectFailed)
    }

    /// A server connection was attached to the request (`reused`: a parked one).
    mutating func serverAttached(reused: Bool) -> Action {
        guard case .awaitingServer(var request) = state else { return .dropServer }
        request.reusedConnection = reused
        state = .awaitingResponse(request)
        return .sendRequest
    }

    /// The parked connection attached closed after it was taken, before the request went out.
    mutating func parkedConnectionClosed() -> Action {
        guard case .awaitingResponse(let request) = state, request.reusedConnection else { return .none }
        state = .awaitingServer(Self.detached(request, avoidingParked: true))
        return .reconnect(resumeReading: false)
    }

    /// The attached server connection could not be set up.
    mutating func serverSetupFailed() -> Action {
        guard case .awaitingResponse = state else { return .none }
        state = .closing(abandoned: nil)
        return .answer(.connectFailed)
    }

    /// Whether an interim response (1xx other than 101: 100 Continue, 103 Early Hints) that arrives
    /// now goes on to the client: to an HTTP/1.1 client waiting for its response.
    var passesInterimResponses: Bool {
        guard case .awaitingResponse(let request) = state else { return false }
        return request.clientTakesHTTP11
    }

    /// The final response head arrived: its `status`, whether the server keeps its connection
    /// (`keepsConnection`) and how its body ends (`framing`). `hasWaitingRequestBytes`: a pipelined
    /// request waits unread (it matters only once the client sends nothing more).
    mutating func responseHeadReceived(
        status: Int, keepsConnection: Bool, framing: HTTP1BodyFraming, hasWaitingRequestBytes: Bool
    ) -> ResponseHeadAction {
        guard case .awaitingResponse(var request) = state else { return .ignore }
        if status == 101, request.asksUpgrade {
            state = .tunnelling
            return .switchProtocols
        }
        request.serverKeepsConnection = keepsConnection
        // The client can tell where the body ends from its framing, kept as is, except for chunks to
        // an HTTP/1.0 client (decoded) and a body that ends with the server's close.
        let framed: Bool
        switch framing {
        case .none, .length: framed = true
        case .chunked: framed = request.clientTakesHTTP11
        case .untilClose: framed = false
        }
        request.keepAlive = request.keepAlive && framed && clientStays(hasWaitingRequestBytes)
        state = .streaming(request)
        return .forward(keepAlive: request.keepAlive)
    }

    /// The server connection reported an error (a `.closed` or an end follows): its connection is
    /// not parked (nothing to do but remember it).
    mutating func serverFailed() {
        changeRequest(waitingForServer: false) { $0.serverFailed = true }
    }

    /// The response ended (a tunnel: the server closed); `reusable` when nothing followed it that the
    /// server was not asked for. `hasWaitingRequestBytes`: a pipelined request waits unread (it
    /// matters only once the client sends nothing more).
    mutating func responseEnded(reusable: Bool, hasWaitingRequestBytes: Bool) -> Action {
        switch state {
        case .awaitingResponse(let request), .streaming(let request):
            let keepOpen = request.keepAlive && request.ended && clientStays(hasWaitingRequestBytes)
            let park =
                reusesServerConnections && request.serverKeepsConnection && reusable && request.ended && !request.serverFailed
            state = keepOpen ? .awaitingHead(firstRequest: false) : .closing(abandoned: nil)
            return .finish(parkServer: park, keepOpen: keepOpen)
        case .tunnelling:
            state = .closing(abandoned: nil)
            return .finish(parkServer: false, keepOpen: false)
        case .awaitingHead, .awaitingServer, .closing:
            return .none
        }
    }

    /// No byte from the server for the server timeout.
    mutating func serverTimedOut() -> Action {
        fail(.serverTimeout)
    }

    /// The server connection closed before the response ended. `bodyKept`: the request's body is
    /// still kept whole to be sent again; `retries`: how many times it was already.
    mutating func serverClosed(bodyKept: Bool, retries: Int) -> Action {
        guard case .awaitingResponse(let request) = state else { return fail(.serverClosed) }
        if request.reusedConnection {
            // A parked connection the server closed as it was taken: not the server's failure.
            state = .awaitingServer(Self.detached(request, avoidingParked: true))
            return .reconnect(resumeReading: true)
        }
        guard bodyKept, retries < maxRetries else { return fail(.serverClosed) }
        let next = Self.detached(request, avoidingParked: false)
        state = .awaitingServer(next)
        return .retry(reusingIdle: reusingIdle(for: next))
    }

    // MARK: Helpers

    /// Applies `change` to the request in flight, if any; one still waiting for a server only when
    /// `waitingForServer`.
    private mutating func changeRequest(waitingForServer: Bool, _ change: (inout Request) -> Void) {
        switch state {
        case .awaitingServer(var request) where waitingForServer:
            change(&request)
            state = .awaitingServer(request)
        case .awaitingResponse(var request):
            change(&request)
            state = .awaitingResponse(request)
        case .streaming(var request):
            change(&request)
            state = .streaming(request)
        case .awaitingHead, .awaitingServer, .tunnelling, .closing:
            break
        }
    }

    /// A server failure: answered before the response head, else the connection is cut.
    private mutating func fail(_ failure: Failure) -> Action {
        switch state {
        case .awaitingResponse:
            state = .closing(abandoned: nil)
            return .answer(failure)
        case .streaming:
            state = .closing(abandoned: .request)
            return .cut(failure)
        case .tunnelling:
            state = .closing(abandoned: .tunnel)
            return .cut(failure)
        case .awaitingHead, .awaitingServer, .closing:
            return .none
        }
    }

    /// `request` detached from its server connection, to go on another.
    private static func detached(_ request: Request, avoidingParked: Bool) -> Request {
        var request = request
        request.reusedConnection = false
        request.serverFailed = false
        if avoidingParked { request.avoidsParkedConnections = true }
        return request
    }

    /// Whether `request` may go on a parked server connection.
    private func reusingIdle(for request: Request) -> Bool {
        reusesServerConnections && request.mayUseParkedConnection && !request.avoidsParkedConnections
    }

    /// Whether the client is still there for a response: it did not half-close, or a request of its waits.
    private func clientStays(_ hasWaitingRequestBytes: Bool) -> Bool {
        !clientInputClosed || hasWaitingRequestBytes
    }

    /// What closing now leaves to log when the connection ends.
    private var abandonedByClose: Abandoned? {
        switch state {
        case .awaitingHead: nil
        case .awaitingServer, .awaitingResponse, .streaming: .request
        case .tunnelling: .tunnel
        case .closing(let abandoned): abandoned
        }
    }
}
