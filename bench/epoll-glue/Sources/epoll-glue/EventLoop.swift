import CLinux
import Glibc

/// One thread's epoll set: a listener of its own (SO_REUSEPORT, so the kernel spreads the clients over
/// the loops) and the pairs it accepted. Epoll's data names the pair by its address, the low bit set
/// for the server socket, and 0 for the listener.
final class EventLoop {
    private let epoll: Int32
    private let listener: Int32
    private var server: sockaddr_in
    /// Pairs closed during the current batch of events: a later event of the batch may still name them.
    private var closed: [Unmanaged<Pair>] = []

    /// A loop accepting on 127.0.0.1:LISTEN_PORT and gluing each client to a connection to 127.0.0.1:SERVER_PORT.
    init(listenPort: UInt16, serverPort: UInt16) {
        epoll = check(epoll_create1(Int32(EPOLL_CLOEXEC)), "epoll_create1")
        listener = check(socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0), "socket")
        server = loopbackAddress(port: serverPort)
        // TCP_NODELAY on the listener is inherited by every accepted socket: no setsockopt per client.
        for (level, option) in [(SOL_SOCKET, SO_REUSEADDR), (SOL_SOCKET, SO_REUSEPORT), (Int32(IPPROTO_TCP), TCP_NODELAY)] {
            setOption(listener, level, option)
        }
        var address = loopbackAddress(port: listenPort)
        _ = check(withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }, "bind")
        _ = check(listen(listener, 1024), "listen")
        // Level-triggered, one accept per event (nginx's default): no accept that only says EAGAIN.
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: 0))
        _ = check(epoll_ctl(epoll, EPOLL_CTL_ADD, listener, &event), "epoll_ctl")
    }

    /// Waits for events and handles them, for ever.
    func run() -> Never {
        let capacity: Int32 = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        while true {
            let count = epoll_wait(epoll, events, capacity, -1)
            guard count >= 0 else {
                if errno == EINTR { continue }
                fail("epoll_wait")
            }
            for event in UnsafeBufferPointer(start: events, count: Int(count)) {
                let tag = event.data.u64
                guard tag != 0 else {
                    accept()
                    continue
                }
                let pair = Unmanaged<Pair>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(tag & ~1))!)
                let closedNow = pair._withUnsafeGuaranteedRef { pair in
                    guard !pair.closed else { return false }
                    pair.handle(event.events, isServer: tag & 1 == 1)
                    return pair.closed
                }
                if closedNow { closed.append(pair) }
            }
            guard !closed.isEmpty else { continue }
            for pair in closed { pair.release() }
            closed.removeAll(keepingCapacity: true)
        }
    }

    /// Runs the loop on a thread of its own (started here, outside the main actor, whose isolation
    /// Swift would otherwise check on the new thread and find wrong).
    func runOnNewThread() {
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { loop in
            Unmanaged<EventLoop>.fromOpaque(loop!).takeUnretainedValue().run()
        }, Unmanaged.passRetained(self).toOpaque())
        guard started == 0 else {
            errno = started
            fail("pthread_create")
        }
    }

    /// Accepts one client, starts its server connection and registers both sockets, edge-triggered.
    private func accept() {
        let client = accept4(listener, nil, nil, Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue))
        guard client >= 0 else { return }
        let serverSocket = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard serverSocket >= 0 else {
            _ = close(client)
            return
        }
        setOption(serverSocket, Int32(IPPROTO_TCP), TCP_NODELAY)
        let connecting = withUnsafePointer(to: &server) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(serverSocket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connecting == 0 || errno == EINPROGRESS else {
            _ = close(client)
            _ = close(serverSocket)
            return
        }
        let tag = UInt64(UInt(bitPattern: Unmanaged.passRetained(Pair(client: client, server: serverSocket)).toOpaque()))
        let interest = EPOLLIN.rawValue | EPOLLOUT.rawValue | EPOLLRDHUP.rawValue | EPOLLET.rawValue
        var clientEvent = epoll_event(events: interest, data: epoll_data_t(u64: tag))
        var serverEvent = epoll_event(events: interest, data: epoll_data_t(u64: tag | 1))
        guard epoll_ctl(epoll, EPOLL_CTL_ADD, client, &clientEvent) == 0,
              epoll_ctl(epoll, EPOLL_CTL_ADD, serverSocket, &serverEvent) == 0 else {
            let pair = Unmanaged<Pair>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(tag))!)
            pair.takeUnretainedValue().close()
            closed.append(pair)
            return
        }
    }
}

/// 127.0.0.1:PORT.
private func loopbackAddress(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = port.bigEndian
    address.sin_addr = in_addr(s_addr: UInt32(0x7f00_0001).bigEndian)
    return address
}

/// Sets the integer socket option LEVEL/OPTION of FD to 1.
private func setOption(_ fd: Int32, _ level: Int32, _ option: Int32) {
    var one: Int32 = 1
    _ = setsockopt(fd, level, option, &one, socklen_t(MemoryLayout<Int32>.size))
}
