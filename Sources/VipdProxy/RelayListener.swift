import CVipdSys
import Logging
import NIOConcurrencyHelpers
import NIOCore
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// A TCP-mode listener: one listening socket, watched by every relay loop with EPOLLEXCLUSIVE, so
/// that a new connection wakes one loop that is waiting (an idle loop takes it, not a loop the
/// kernel picked by hash while it is busy). The loop that accepts a connection serves it from
/// accept to close.
final class RelayListener: Sendable {
    private let fd: CInt
    private let sockets: [RelayListeningSocket]
    /// What the connections accepted from now on get.
    private let context: NIOLockedValueBox<RelayConnection.Context>

    private init(fd: CInt, sockets: [RelayListeningSocket], context: NIOLockedValueBox<RelayConnection.Context>) {
        self.fd = fd
        self.sockets = sockets
        self.context = context
    }

    /// Connections accepted from now on take `route` (a reload).
    func use(_ route: ListenerRoute) {
        context.withLockedValue { context in
            context = RelayConnection.Context(route: route, tracker: context.tracker, gate: context.gate, logger: context.logger)
        }
    }

    /// Binds `endpoint` with IP_FREEBIND / IPV6_FREEBIND, SO_REUSEADDR and SO_REUSEPORT (so that a
    /// reload binds the new socket before the old one closes), and starts accepting on every loop.
    static func bind(
        _ endpoint: SocketEndpoint, route: ListenerRoute, tracker: ConnectionTracker, gate: AcceptGate, logger: Logger
    ) async throws -> RelayListener {
        let fd = try listeningSocket(RawSocketAddress(endpoint))
        let context = NIOLockedValueBox(RelayConnection.Context(route: route, tracker: tracker, gate: gate, logger: logger))
        let shared = RelayListeningSocket.Shared(
            context: context, gate: gate, boundAddress: endpoint.address.isWildcard ? nil : endpoint.address)
        var sockets: [RelayListeningSocket] = []
        for loop in RelayLoops.shared.loops {
            let socket = RelayListeningSocket(fd: fd, loop: loop, shared: shared)
            gate.register(socket)
            sockets.append(socket)
            await loop.submit { socket.start() }
        }
        return RelayListener(fd: fd, sockets: sockets, context: context)
    }

    /// A listening socket bound to `address`; throws the call that failed.
    private static func listeningSocket(_ address: RawSocketAddress) throws -> CInt {
        let fd = socket(address.family, CInt(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw IOError(errnoCode: errno, reason: "socket") }
        var one: CInt = 1
        let size = socklen_t(MemoryLayout<CInt>.size)
        let freeBind = address.family == AF_INET ? (CInt(IPPROTO_IP), FreeBind.ipv4Option.rawValue) : (CInt(IPPROTO_IPV6), FreeBind.ipv6Option.rawValue)
        // TCP_NODELAY here is inherited by every accepted socket: no system call per connection.
        for (level, option) in [(SOL_SOCKET, SO_REUSEADDR), (SOL_SOCKET, SO_REUSEPORT), freeBind, (CInt(IPPROTO_TCP), TCP_NODELAY)]
        where setsockopt(fd, level, option, &one, size) != 0 {
            let code = errno
            _ = Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "setsockopt")
        }
        guard address.withSockAddr({ Glibc.bind(fd, $0, $1) }) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "bind")
        }
        guard listen(fd, 1024) == 0 else {
            let code = errno
            _ = Glibc.close(fd)
            throw IOError(errnoCode: code, reason: "listen")
        }
        return fd
    }

    /// Stops accepting on every loop, then closes the listening socket; established connections are not affected.
    func close() async {
        for socket in sockets {
            await socket.loop.submit { socket.stop() }
        }
        _ = Glibc.close(fd)
    }
}

/// A ``RelayListener``'s socket as one relay loop watches it.
final class RelayListeningSocket: RelayEventHandler, AcceptingSocket, @unchecked Sendable {
    /// What every socket of a listener shares.
    struct Shared: Sendable {
        let context: NIOLockedValueBox<RelayConnection.Context>
        let gate: AcceptGate
        /// The address bound, nil for a wildcard (then each connection's own is asked for).
        let boundAddress: IPAddress?
    }

    let loop: RelayLoop
    /// The listener's socket, shared by every loop (the listener closes it).
    private let fd: CInt
    private let shared: Shared
    /// The gate lets connections in (maxconn is not reached).
    private var gateOpen = true
    /// Accepting rests after an error that would repeat at once (out of descriptors or memory).
    private var restingUntil: NIODeadline?
    private var open = false
    /// The socket is in the loop's epoll set.
    private var watched = false

    /// Accepts per readiness report, so that one busy listener does not hold the loop.
    static let acceptsPerEvent = 16
    /// How long accepting rests after running out of descriptors or memory.
    static let restAfterError = TimeAmount.milliseconds(100)

    init(fd: CInt, loop: RelayLoop, shared: Shared) {
        self.fd = fd
        self.loop = loop
        self.shared = shared
    }

    /// On the loop: watches the socket.
    func start() {
        open = true
        loop.keep(self)
        updateInterest()
    }

    /// On the loop: stops watching the socket.
    func stop() {
        guard open else { return }
        open = false
        updateInterest()
        loop.forget(self)
    }

    func setAccepting(_ accepting: Bool) {
        loop.execute { [self] in
            gateOpen = accepting
            updateInterest()
        }
    }

    /// Adds the socket to the loop's epoll set or takes it out (EPOLLEXCLUSIVE cannot be modified).
    /// Level-triggered, so what is left in the backlog is reported again.
    private func updateInterest() {
        let accepting = open && gateOpen && restingUntil == nil
        guard accepting != watched else { return }
        if accepting {
            watched = loop.register(fd, events: EPOLLIN.rawValue | EPOLLEXCLUSIVE.rawValue, handler: self, tag: 0)
        } else {
            loop.deregister(fd)
            watched = false
        }
    }

    override func handle(events: UInt32, tag: UInt64) {
        for _ in 0..<Self.acceptsPerEvent {
            guard open, gateOpen else { return }
            var storage = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = withUnsafeMutablePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    cvipd_accept4(fd, $0, &length, CInt(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
                }
            }
            guard client >= 0 else {
                switch errno {
                case EAGAIN: return
                case EINTR, ECONNABORTED, EPROTO: continue
                default:
                    shared.gate.reportAcceptError(IOError(errnoCode: errno, reason: "accept"))
                    rest()
                    return
                }
            }
            accepted(client, from: storage)
        }
    }

    /// Stops accepting for ``restAfterError``.
    private func rest() {
        restingUntil = loop.now + Self.restAfterError
        updateInterest()
        loop.after(Self.restAfterError) { [self] in
            restingUntil = nil
            updateInterest()
        }
    }

    private func accepted(_ client: CInt, from storage: sockaddr_storage) {
        let context = shared.context.withLockedValue { $0 }
        context.route?.traffic.accepted()
        shared.gate.admit()
        var one: CInt = 1
        _ = setsockopt(client, SOL_SOCKET, SO_KEEPALIVE, &one, socklen_t(MemoryLayout<CInt>.size))
        let acceptedOn = shared.boundAddress ?? RawSocketAddress.end(of: client, .local).flatMap(RawSocketAddress.ipAddress(of:))
        RelayConnection.accepted(
            client, from: RawSocketAddress.socketAddress(of: storage), acceptedOn: acceptedOn, on: loop,
            context: context)
    }
}
