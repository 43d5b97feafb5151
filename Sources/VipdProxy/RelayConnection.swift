import CVipdSys
import Logging
import NIOCore
import VipdConfig
import VipdCore
import VipdHealth
#if canImport(Glibc)
import Glibc
#endif

/// A TCP-mode client connection on a ``RelayLoop``: it connects to a server of its pool (the balancer
/// picks; a failed or timed-out connect tries the next server, up to `retries` more), then relays
/// bytes both ways through two ``RelayPipe``s until both directions are over, an error or the idle
/// timeout closes it, or it is handed, open, to another process. Both sockets are registered once,
/// edge-triggered for input, output and the peer's shutdown. It logs its connection line when it ends.
///
/// Confined to its loop; the ``TrackedConnection`` calls from other threads are sent there.
final class RelayConnection: RelayEventHandler, SlotListMember, TrackedConnection, @unchecked Sendable {
    private enum State { case connecting, relaying, closed, handedOver }

    /// What the connection needs from its listener: one object per listener and route, shared by
    /// every connection accepted with that route.
    final class Context: Sendable {
        /// The listener's route; nil for a connection handed over by a stopping vipd (connected already).
        let route: ListenerRoute?
        let tracker: ConnectionTracker
        let gate: AcceptGate?
        let logger: Logger

        init(route: ListenerRoute?, tracker: ConnectionTracker, gate: AcceptGate?, logger: Logger) {
            self.route = route
            self.tracker = tracker
            self.gate = gate
            self.logger = logger
        }
    }

    let loop: RelayLoop
    let record: ConnectionRecord
    let acceptedOn: IPAddress?
    private let context: Context
    private var state = State.connecting
    private var clientFD: CInt
    private var serverFD: CInt = -1
    private var toServer: RelayPipe
    private var toClient: RelayPipe
    private var pick: PoolRuntime.Pick?
    /// Servers whose connect failed, and why (only after a failure).
    private var tried: Set<Int> = []
    private var failures: [String] = []
    private var connectTicket: ConnectDeadlines<RelayConnection>.Ticket?
    /// The sweep that watches this connection's idle time, and its count.
    private(set) var idleSweep: RelayIdleSweep?
    var idleCount = IdleCount()
    /// Where the loop's ``RelayLoop/connections`` keeps this connection.
    var slotListIndex = -1

    private init(loop: RelayLoop, clientFD: CInt, record: ConnectionRecord, acceptedOn: IPAddress?, context: Context) {
        self.loop = loop
        self.clientFD = clientFD
        self.record = record
        self.acceptedOn = acceptedOn
        self.context = context
        toServer = RelayPipe(source: clientFD, sink: -1)
        toClient = RelayPipe(source: -1, sink: clientFD)
    }

    /// Takes an accepted client socket (owned from now on) and starts its server connection; call on `loop`.
    static func accepted(
        _ clientFD: CInt, from client: SocketAddress?, acceptedOn: IPAddress?, on loop: RelayLoop, context: Context
    ) {
        guard let route = context.route else {
            _ = Glibc.close(clientFD)
            return
        }
        let record = ConnectionRecord(client: client, listener: route.config.name, pool: route.pool.config.name, acceptedAt: loop.now)
        let connection = RelayConnection(loop: loop, clientFD: clientFD, record: record, acceptedOn: acceptedOn, context: context)
        connection.enter(idleTimeout: route.config.idleTimeout)
        guard loop.register(clientFD, events: relayEvents, handler: connection, tag: 0) else {
            connection.refuse(.connectFailed, detail: "cannot watch the client socket: \(String(cString: strerror(errno)))")
            return
        }
        connection.connectNext()
    }

    /// Takes the two sockets of a connection handed over by a stopping vipd (owned from now on) and
    /// relays them; call on `loop`. False (both sockets closed) when they cannot be watched.
    static func adopted(
        clientFD: CInt, serverFD: CInt, record: ConnectionRecord, idleTimeout: Duration, on loop: RelayLoop, context: Context
    ) -> Bool {
        let connection = RelayConnection(loop: loop, clientFD: clientFD, record: record, acceptedOn: nil, context: context)
        connection.serverFD = serverFD
        connection.toServer.sink = serverFD
        connection.toClient.source = serverFD
        connection.enter(idleTimeout: idleTimeout)
        connection.state = .relaying
        context.tracker.relayed.added()
        guard loop.register(clientFD, events: relayEvents, handler: connection, tag: 0),
            loop.register(serverFD, events: relayEvents, handler: connection, tag: 1)
        else {
            connection.close(.clientReset)
            return false
        }
        return true
    }

    /// What both sockets are watched for: input, output and the peer's shutdown, edge-triggered.
    private static let relayEvents = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue

    /// Joins the loop's connections, the process's tracked ones, and the idle sweep of `idleTimeout`.
    private func enter(idleTimeout: Duration) {
        loop.connections.add(self)
        context.tracker.track(self)
        idleSweep = loop.idleSweep(for: idleTimeout)
        idleSweep?.add(now: loop.now)
    }

    // MARK: Connecting

    /// Connects to the next server the balancer picks, or refuses the client when none is left.
    private func connectNext() {
        guard let route = context.route else { return close(nil) }
        let pool = route.pool
        let clientKey = pool.config.balance == .source ? Array((record.client?.ipAddress ?? "").utf8) : []
        guard let pick = pool.pick(clientKey: clientKey, excluding: tried) else {
            if failures.isEmpty {
                refuse(.noServer, detail: "pool \(pool.config.name) has no server available")
            } else {
                refuse(.connectFailed, detail: failures.joined(separator: "; "))
            }
            return
        }
        self.pick = pick
        record.server = pick.server.name
        let (endpoint, source) = destination(of: pick)
        let address = endpoint == pick.server.endpoint ? pick.rawAddress : RawSocketAddress(endpoint)
        let fd = socket(address.family, CInt(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            let code = errno
            guard Self.outOfResources.contains(code) else { return connectFailed(code, endpoint: endpoint) }
            return waitForResources(code, pick: pick)
        }
        serverFD = fd
        toServer.sink = fd
        toClient.source = fd
        var one: CInt = 1
        let size = socklen_t(MemoryLayout<CInt>.size)
        _ = setsockopt(fd, CInt(IPPROTO_TCP), TCP_NODELAY, &one, size)
        _ = setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, size)
        if let source, source.family == endpoint.address.family {
            let failure = source.prepare(socket: fd)
            guard failure == 0 else { return connectFailed(failure, endpoint: endpoint) }
        }
        let status = address.withSockAddr { connect(fd, $0, $1) }
        guard status == 0 || errno == EINPROGRESS else { return connectFailed(errno, endpoint: endpoint) }
        guard loop.register(fd, events: Self.relayEvents, handler: self, tag: 1) else { return connectFailed(errno, endpoint: endpoint) }
        connectTicket = loop.connectDeadlines.watch(
            self, timeout: UInt64(max(TimeAmount(route.config.connectTimeout).nanoseconds, 0)), now: loop.now.uptimeNanoseconds)
    }

    /// The errors of a process out of descriptors or memory: they pass when other connections close.
    private static let outOfResources: Set<CInt> = [EMFILE, ENFILE, ENOBUFS, ENOMEM]

    /// No socket can be opened now: the client waits (as clients in the backlog do), and the connect
    /// is tried again after ``RelayListeningSocket/restAfterError``; the condition is logged as the
    /// listener logs it, once per interval.
    private func waitForResources(_ code: CInt, pick: PoolRuntime.Pick) {
        context.route?.pool.release(pick.index)
        self.pick = nil
        context.gate?.reportAcceptError(IOError(errnoCode: code, reason: "socket"))
        loop.after(RelayListeningSocket.restAfterError) { [self] in
            if state == .connecting, self.pick == nil { connectNext() }
        }
    }

    /// The connect under way did not finish within the connect timeout.
    func connectTimedOut() {
        guard state == .connecting, let pick, let route = context.route else { return }
        connectTicket = nil
        attemptFailed("connection timed out after \(route.config.connectTimeout.millisecondsText)", endpoint: destination(of: pick).endpoint)
    }

    /// Where a connection to `pick` goes, and from where: a transparent pool's connection leaves from
    /// the client's address, to the server's node in the client's family.
    private func destination(of pick: PoolRuntime.Pick) -> (endpoint: SocketEndpoint, source: TransparentSource?) {
        let source = context.route?.pool.config.transparent == true ? TransparentSource(client: record.client) : nil
        return (source.flatMap { pick.server.endpoint(for: $0.family) } ?? pick.server.endpoint, source)
    }

    private func connectFailed(_ code: CInt, endpoint: SocketEndpoint) {
        attemptFailed(describeErrno(code) ?? "connect failed: \(String(cString: strerror(code)))", endpoint: endpoint)
    }

    /// The connect to the picked server failed: tries the next server, or refuses the client.
    private func attemptFailed(_ reason: String, endpoint: SocketEndpoint) {
        guard let pick, let route = context.route else { return }
        if let connectTicket { loop.connectDeadlines.cancel(connectTicket) }
        connectTicket = nil
        if serverFD >= 0 { _ = Glibc.close(serverFD) }
        serverFD = -1
        self.pick = nil
        let pool = route.pool
        pool.release(pick.index)
        pick.traffic.connectFailed()
        let failure = "connect to \(pool.config.name)/\(pick.server.name) (\(endpoint)) failed: \(reason)"
        tried.insert(pick.index)
        failures.append(failure)
        guard tried.count <= route.config.retries else {
            refuse(.connectFailed, detail: failures.joined(separator: "; "))
            return
        }
        context.logger.warning(
            "\(failure); trying the next server",
            metadata: ["listener": "\(record.listener)", "pool": "\(pool.config.name)", "server": "\(pick.server.name)"])
        record.retries += 1
        pick.traffic.retried()
        connectNext()
    }

    /// The server socket is connected: the relay starts.
    private func connected() {
        guard let pick else { return }
        if let connectTicket { loop.connectDeadlines.cancel(connectTicket) }
        connectTicket = nil
        state = .relaying
        record.connectedAt = loop.now
        if !tried.isEmpty { pick.traffic.redispatched() }
        pick.traffic.connectionOpened()
        record.traffic = pick.traffic
        context.tracker.relayed.added()
    }

    /// No server: logs why and closes the client.
    private func refuse(_ end: ConnectionEnd, detail: String) {
        record.noteEnd(end)
        if end == .noServer { context.route?.traffic.refusedForNoServer() }
        let who = record.client.map(ConnectionRecord.describe) ?? "unknown"
        context.logger.warning("\(who) \(record.listener): \(detail); closing the client connection", metadata: record.metadata)
        close(nil)
    }

    // MARK: Relaying

    override func handle(events: UInt32, tag: UInt64) {
        guard state == .connecting || state == .relaying else { return }
        let failed = events & EPOLLERR.rawValue != 0
        let hungUp = events & EPOLLHUP.rawValue != 0
        let readable = events & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0
        let peerShutDown = events & (EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0
        let writable = events & EPOLLOUT.rawValue != 0
        if tag == 1 {
            if state == .connecting {
                guard !failed, !hungUp else {
                    guard let pick else { return }
                    return connectFailed(socketError(serverFD), endpoint: destination(of: pick).endpoint)
                }
                guard writable else { return }
                connected()
            }
            if readable { toClient.direction.sourceReady(peerShutDown: peerShutDown) }
            if writable { toServer.direction.sinkReady() }
        } else {
            if readable { toServer.direction.sourceReady(peerShutDown: peerShutDown) }
            if writable { toClient.direction.sinkReady() }
            // A client gone completely is not connected for; one that only shut its side is, and its bytes follow.
            if state == .connecting {
                if failed { close(.clientReset) } else if hungUp { close(.clientClosed) }
                return
            }
        }
        pump()
        // A socket that failed (a reset) is read first: the bytes its peer sent before still go on. The
        // read that meets the error closes the connection; if reads are held back, it closes here.
        if failed { close(tag == 1 ? .serverReset : .clientReset) }
    }

    /// Moves what both directions can move, and closes the connection when both are over or a socket failed.
    private func pump() {
        let buffer = loop.readBuffer
        var fromClient = 0
        let upstream = toServer.pump(readBuffer: buffer, sinkClosesNext: toClient.direction.isFinished, bytesRead: &fromClient)
        if fromClient > 0 { record.bytesFromClient &+= fromClient }
        switch upstream {
        case .waiting: break
        case .inputEnded: record.noteEnd(.clientClosed)
        case .sourceFailed: return close(.clientReset)
        case .sinkFailed: return close(.serverReset)
        }
        var fromServer = 0
        let downstream = toClient.pump(readBuffer: buffer, sinkClosesNext: toServer.direction.isFinished, bytesRead: &fromServer)
        if fromServer > 0 { record.bytesFromServer &+= fromServer }
        switch downstream {
        case .waiting: break
        case .inputEnded: record.noteEnd(.serverClosed)
        case .sourceFailed: return close(.serverReset)
        case .sinkFailed: return close(.clientReset)
        }
        if toServer.direction.isFinished && toClient.direction.isFinished { close(nil) }
    }

    // MARK: Ending

    /// Closes both sockets (with a reset of the client's when `reset`), records `cause` unless an
    /// earlier one was, and ends the connection's accounting and log line.
    func close(_ cause: ConnectionEnd?, reset: Bool = false) {
        guard state == .connecting || state == .relaying else { return }
        if let cause { record.noteEnd(cause) }
        if reset {
            var noLinger = linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(clientFD, SOL_SOCKET, SO_LINGER, &noLinger, socklen_t(MemoryLayout<linger>.size))
        }
        _ = Glibc.close(clientFD)
        if serverFD >= 0 { _ = Glibc.close(serverFD) }
        end(as: .closed)
    }

    /// Leaves the loop and every count; the sockets are closed or handed on already.
    private func end(as final: State) {
        let wasRelaying = state == .relaying
        if let connectTicket { loop.connectDeadlines.cancel(connectTicket) }
        connectTicket = nil
        state = final
        toServer.releaseHeld()
        toClient.releaseHeld()
        loop.connections.remove(self)
        loop.retire(self)
        idleSweep?.remove()
        idleSweep = nil
        if let pick { context.route?.pool.release(pick.index) }
        if wasRelaying {
            pick?.traffic.ended()
            context.tracker.relayed.removed()
        }
        context.gate?.release()
        context.tracker.untrack(self)
        guard context.logger.logLevel <= .info, let line = record.takeLogLine(now: .now()) else { return }
        context.logger.info("\(line)", metadata: record.metadata)
    }

    // MARK: Handing on

    /// Stops reading both ways; what was read is still sent.
    func pause() {
        toServer.pause()
        toClient.pause()
        if state == .relaying { pump() }
    }

    /// Whether the connection relays, with nothing read that is not yet sent (after ``pause()``:
    /// ready to be handed on).
    var isSettled: Bool {
        state == .relaying && toServer.direction.isSettled && toClient.direction.isSettled
    }

    /// Whether the connection relays now.
    var isRelaying: Bool { state == .relaying }

    /// The tracker this connection counts in.
    var tracker: ConnectionTracker { context.tracker }

    /// Takes both sockets out of the loop, unclosed, for another process; the log line says
    /// `end=handed-over`. Call once ``isSettled``.
    func handOver() -> MovedConnection {
        record.noteEnd(.handedOver)
        loop.deregister(clientFD)
        loop.deregister(serverFD)
        let details = MovedConnection.Details(
            client: record.client.map(ConnectionRecord.describe) ?? "unknown", listener: record.listener, pool: record.pool,
            server: record.server ?? "unknown", ageMilliseconds: (loop.now - record.acceptedAt).nanoseconds / 1_000_000,
            bytesFromClient: record.bytesFromClient, bytesFromServer: record.bytesFromServer,
            idleTimeoutMilliseconds: TimeAmount(idleSweep?.schedule.timeout ?? .zero).nanoseconds / 1_000_000)
        let moved = MovedConnection(clientDescriptor: clientFD, serverDescriptor: serverFD, details: details)
        end(as: .handedOver)
        return moved
    }

    // MARK: TrackedConnection, from any thread

    func quiesce() {}

    func close() {
        loop.execute { self.close(nil) }
    }

    func reset() {
        loop.execute { self.close(nil, reset: true) }
    }
}

/// The pending error of socket `fd` (SO_ERROR), ECONNREFUSED when it cannot be read.
private func socketError(_ fd: CInt) -> CInt {
    var code: CInt = 0
    var length = socklen_t(MemoryLayout<CInt>.size)
    guard getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == 0, code != 0 else { return ECONNREFUSED }
    return code
}
