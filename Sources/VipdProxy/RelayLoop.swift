import CVipdSys
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Something registered with a ``RelayLoop``'s epoll set: a listening socket or a relayed connection.
/// A class rather than a protocol, so that an event reaches it through one indirect call.
class RelayEventHandler {
    /// Epoll reported `events` for the socket registered with `tag` (0 or 1, for the two sockets of a connection).
    func handle(events: UInt32, tag: UInt64) {}
}

/// One thread of TCP mode's data path: an epoll set, the connections it relays, their connect
/// deadlines and idle sweeps, and a queue of work sent from other threads (woken through an
/// eventfd). A connection lives on one loop from accept to close; everything it owns is touched
/// only there. Epoll's data names a handler by its address, the low bit telling the two sockets of
/// a connection apart.
final class RelayLoop: @unchecked Sendable {
    /// The loop's position in ``RelayLoops``.
    let index: Int
    private let epoll: CInt
    private let wakeup: CInt
    private let queued = NIOLockedValueBox<[@Sendable () -> Void]>([])
    /// The connections relayed here (they hold themselves: the epoll set does not).
    var connections = SlotList<RelayConnection>()
    /// Handlers held while registered (listening sockets).
    private var kept: [ObjectIdentifier: RelayEventHandler] = [:]
    /// Tasks waiting for their time (``after(_:_:)``).
    private var delayed: [(deadline: NIODeadline, task: () -> Void)] = []
    /// Handlers closed during the current batch of events: a later event of the batch may still name them.
    private var retired: [AnyObject] = []
    /// The time at the start of the current batch of events.
    private(set) var now = NIODeadline.now()
    /// Connections waiting for their connect.
    var connectDeadlines = ConnectDeadlines<RelayConnection>()
    /// The idle sweeps, one per timeout in use.
    private var sweeps: [RelayIdleSweep] = []
    /// The buffer every read goes into first; bytes a sink does not take at once are copied out.
    let readBuffer: UnsafeMutableRawBufferPointer

    /// The size of one read.
    static let readSize = 64 * 1024

    init(index: Int) {
        self.index = index
        epoll = epoll_create1(CInt(EPOLL_CLOEXEC))
        wakeup = eventfd(0, CInt(EFD_CLOEXEC | EFD_NONBLOCK))
        precondition(epoll >= 0 && wakeup >= 0, "vipd cannot create an epoll set or an eventfd: \(errno)")
        readBuffer = .allocate(byteCount: Self.readSize, alignment: 16)
        var event = epoll_event(events: EPOLLIN.rawValue, data: epoll_data_t(u64: 0))
        _ = epoll_ctl(epoll, EPOLL_CTL_ADD, wakeup, &event)
    }

    /// Starts the loop's thread; it runs for the life of the process.
    func start() {
        var thread = pthread_t()
        let started = pthread_create(&thread, nil, { loop in
            Unmanaged<RelayLoop>.fromOpaque(loop!).takeUnretainedValue().run()
        }, Unmanaged.passRetained(self).toOpaque())
        precondition(started == 0, "vipd cannot start a relay thread: \(started)")
        pthread_detach(thread)
    }

    /// Runs `task` on the loop's thread, soon.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let wasEmpty = queued.withLockedValue { queued in
            queued.append(task)
            return queued.count == 1
        }
        guard wasEmpty else { return }
        var one: UInt64 = 1
        _ = write(wakeup, &one, 8)
    }

    /// Runs `task` on the loop's thread and returns its result.
    func submit<Result: Sendable>(_ task: @escaping @Sendable () -> Result) async -> Result {
        await withCheckedContinuation { continuation in
            execute { continuation.resume(returning: task()) }
        }
    }

    // MARK: On the loop's thread

    /// Adds `fd` to the epoll set for `events`, reported to `handler` with `tag`; false on failure.
    func register(_ fd: CInt, events: UInt32, handler: RelayEventHandler, tag: UInt64) -> Bool {
        var event = epoll_event(events: events, data: epoll_data_t(u64: Self.data(handler, tag)))
        return epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0
    }

    /// Takes `fd` out of the epoll set (before it is closed elsewhere, or handed on).
    func deregister(_ fd: CInt) {
        _ = epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
    }

    /// Keeps `handler` alive until the current batch of events is handled.
    func retire(_ handler: AnyObject) {
        retired.append(handler)
    }

    /// Holds `handler` (a listening socket) while it is registered.
    func keep(_ handler: RelayEventHandler) {
        kept[ObjectIdentifier(handler)] = handler
    }

    /// Lets go of a handler held by ``keep(_:)``, once the current batch of events is handled.
    func forget(_ handler: RelayEventHandler) {
        if let held = kept.removeValue(forKey: ObjectIdentifier(handler)) { retire(held) }
    }

    /// Runs `task` on the loop once `delay` passed (for rare events: a linear list).
    func after(_ delay: TimeAmount, _ task: @escaping () -> Void) {
        delayed.append((now + delay, task))
    }

    /// The idle sweep of this loop for `timeout`, made on first use.
    func idleSweep(for timeout: Duration) -> RelayIdleSweep {
        if let existing = sweeps.first(where: { $0.schedule.timeout == timeout }) { return existing }
        let created = RelayIdleSweep(schedule: IdleSweepSchedule(timeout: timeout))
        sweeps.append(created)
        return created
    }

    private static func data(_ handler: RelayEventHandler, _ tag: UInt64) -> UInt64 {
        UInt64(UInt(bitPattern: Unmanaged.passUnretained(handler).toOpaque())) | tag
    }

    private func run() -> Never {
        let capacity: CInt = 128
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: Int(capacity))
        while true {
            let count = epoll_wait(epoll, events, capacity, waitMilliseconds())
            now = .now()
            if count > 0 {
                for event in UnsafeBufferPointer(start: events, count: Int(count)) {
                    let data = event.data.u64
                    guard data != 0 else {
                        runQueued()
                        continue
                    }
                    // Unretained: the handler is held by the loop's lists, or by `retired` until the batch ends.
                    Unmanaged<RelayEventHandler>.fromOpaque(UnsafeRawPointer(bitPattern: UInt(data & ~1))!)
                        ._withUnsafeGuaranteedRef { $0.handle(events: event.events, tag: data & 1) }
                }
            }
            runTimers()
            if !retired.isEmpty { retired.removeAll(keepingCapacity: true) }
        }
    }

    private func runQueued() {
        var value: UInt64 = 0
        _ = read(wakeup, &value, 8)
        let tasks = queued.withLockedValue { queued in
            defer { queued.removeAll(keepingCapacity: true) }
            return queued
        }
        for task in tasks { task() }
    }

    /// Milliseconds until the next deadline or sweep (rounded up), -1 when nothing is due.
    private func waitMilliseconds() -> CInt {
        var next = connectDeadlines.nextDeadline ?? .max
        for entry in delayed { next = min(next, entry.deadline.uptimeNanoseconds) }
        for sweep in sweeps where sweep.isActive {
            next = min(next, sweep.nextSweep.uptimeNanoseconds)
        }
        guard next != .max else { return -1 }
        let current = NIODeadline.now().uptimeNanoseconds
        guard next > current else { return 0 }
        return CInt(min((next - current + 999_999) / 1_000_000, 60_000))
    }

    private func runTimers() {
        while let connection = connectDeadlines.popExpired(now: now.uptimeNanoseconds) {
            connection.connectTimedOut()
        }
        if !delayed.isEmpty {
            let due = delayed.filter { $0.deadline <= now }
            delayed.removeAll { $0.deadline <= now }
            for entry in due { entry.task() }
        }
        for sweep in sweeps where sweep.isActive && sweep.nextSweep <= now {
            sweep.sweep(connections.members, now: now)
        }
    }
}
