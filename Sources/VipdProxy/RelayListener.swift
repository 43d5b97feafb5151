import CVipdSys
import Logging
import NIOConcurrencyHelpers
import NIOCore
import VipdCore
#if canImport(Glibc)
import Glibc
#endif

/// A TCP-mode listener: a listening socket on every relay loop, bound to the same address
/// (SO_REUSEPORT, so the kernel spreads new connections over the loops), each accepting
/// connections that the loop then serves from accept to close.
final class RelayListener: Sendable {
    private let sockets: [RelayListeningSocket]
    /// What the connections accepted from now on get.
    private let context: NIOLockedValueBox<RelayConnection.Context>

    private init(sockets: [RelayListeningSocket], context: NIOLockedValueBox<RelayConnection.Context>) {
        self.sockets = sockets
        self.context = context
    }

    /// Connections accepted from now on take `route` (a reload).
    func use(_ route: ListenerRoute) {
        context.withLockedValue { context in
            context = RelayConnection.Context(route: route, tracker: context.tracker, gate: context.gate, logger: context.logger)
        }
    }

    /// Binds `endpoint` once per relay loop, with IP_FREEBIND / IPV6_FREEBIND, SO_REUSEADDR and
    /// SO_REUSEPORT, and starts accepting. Either every socket binds or none stays open.
    static func bind(
        _ endpoint: SocketEndpoint, route: ListenerRoute, tracker: ConnectionTracker, gate: AcceptGate, logger: Logger
    ) async throws -> RelayListener {
        let address = RawSocketAddress(endpoint)
        var descriptors: [CInt] = []
        for _ in RelayLoops.shared.loops {
            do {
                descriptors.append(try listeningSocket(address))
            } catch {
                for fd in descriptors { _ = Glibc.close(fd) }
                throw error
            }
        }
        let context = NIOLockedValueBox(RelayConnection.Context(route: route, tracker: tracker, gate: gate, logger: logger))
        let shared = RelayListeningSocket.Shared(
            context: context, gate: gate, boundAddress: endpoint.address.isWildcard ? nil : endpoint.address)
        var sockets: [RelayListeningSocket] = []
        for (loop, fd) in zip(RelayLoops.shared.loops, descriptors) {
            let socket = RelayListeningSocket(fd: fd, loop: loop, shared: shared)
            gate.register(socket)
            sockets.append(socket)
            await loop.submit { socket.start() }
        }
        return RelayListener(sockets: sockets, context: context)
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

    /// Stops accepting and closes the listening sockets; established connections are not affected.
    func close() async {
        for socket in sockets {
            await socket.loop.submit { socket.stop() }
        }
    }
}

/// One relay loop's listening socket of a ``RelayListener``.
final class RelayListeningSocket: RelayEventHandler, AcceptingSocket, @unchecked Sendable {
    /// What every socket of a listener shares.
    struct Shared: Sendable {
        let context: NIOLockedValueBox<RelayConnection.Context>
        let gate: AcceptGate
        /// The address bound, nil for a wildcard (then each connection's own is asked for).
        let boundAddress: IPAddress?
    }

    let loop: RelayLoop
    private let fd: CInt
    private let shared: Shared
    /// The gate lets connections in (maxconn is not reached).
    private var gateOpen = true
    /// Accepting rests after an error that would repeat at once (out of descriptors or memory).
    private var restingUntil: NIODeadline?
    private var open = true

    /// Accepts per readiness report, so that one busy listener does not hold the loop.
    static let acceptsPerEvent = 16
    /// How long accepting rests after running out of descriptors or memory.
    static let restAfterError = TimeAmount.milliseconds(100)

    init(fd: CInt, loop: RelayLoop, shared: Shared) {
        self.fd = fd
        self.loop = loop
        self.shared = shared
    }

    /// On the loop: watches the socket (level-triggered, so what is left in the backlog is reported again).
    func start() {
        _ = loop.register(fd, events: EPOLLIN.rawValue, handler: self, tag: 0)
        loop.keep(self)
    }

    /// On the loop: stops watching and closes the socket.
    func stop() {
        guard open else { return }
        open = false
        loop.deregister(fd)
        _ = Glibc.close(fd)
        loop.forget(self)
    }

    func setAccepting(_ accepting: Bool) {
        loop.execute { [self] in
            gateOpen = accepting
            updateInterest()
        }
    }

    private func updateInterest() {
        guard open else { return }
        let accepting = gateOpen && restingUntil == nil
        loop.modify(fd, events: accepting ? EPOLLIN.rawValue : 0, handler: self, tag: 0)
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
