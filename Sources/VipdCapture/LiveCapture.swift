import CPcap
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Captures the frames matching a BPF filter on one network interface, as they arrive.
///
/// Opened in immediate mode (each packet is handed over at once, not batched) and
/// non-blocking: `next(timeout:)` waits in `poll()` on the capture socket and a stop pipe, so
/// `stop()` from any thread ends a wait at once. The socket belongs to the network namespace
/// of the thread that opens the capture; reading may then happen on any thread.
///
/// One thread reads with `next(timeout:)`; `stop()` and `statistics()` may be called from any
/// thread meanwhile. `close()` frees the capture: after a stop, from any thread, and in deinit.
public final class LiveCapture: @unchecked Sendable {
    /// The interface captured on.
    public let interface: String
    /// The link-layer header type of the captured frames (Ethernet on Ethernet and veth).
    public let linkType: LinkType

    /// The libpcap handle; nil after `close()`. Held only across libpcap calls, never while
    /// waiting, so `statistics()` and `close()` never wait for a packet.
    private let handle: Mutex<OpaquePointer?>
    /// The capture socket, for `poll()`.
    private let socketDescriptor: Int32
    private let stopSignal: StopSignal
    /// What one unit of a timestamp's fraction is worth: a nanosecond, or a microsecond when
    /// the platform does not deliver nanoseconds.
    private let fractionUnit: Int64

    /// The longest single wait: `poll()` takes milliseconds in an `Int32`.
    private static let longestWait = Duration.milliseconds(Int32.max)

    /// Opens `interface` in the calling thread's network namespace and sets `filter`.
    /// - Parameters:
    ///   - filter: a BPF filter in tcpdump syntax, e.g. `vrrp or arp`; empty captures everything.
    ///   - snapshotLength: the most bytes kept of each frame (positive).
    ///   - bufferSize: the kernel ring buffer in bytes (positive); packets arriving while it is
    ///     full are dropped and counted in `statistics().droppedByKernel`.
    ///   - promiscuous: also capture frames addressed to other hosts.
    /// - Throws: `CaptureError` when there is no such interface, the process may not capture
    ///   (root or `CAP_NET_RAW` is needed), the interface is down, or the filter does not
    ///   compile (libpcap's complaint and the filter are in the message).
    public init(
        interface: String, filter: String, snapshotLength: Int32 = 2048, bufferSize: Int = 4 << 20,
        promiscuous: Bool = false
    ) throws(CaptureError) {
        let context = Self.context(interface)
        guard snapshotLength > 0 else { throw CaptureError("\(context): the snapshot length must be positive, not \(snapshotLength)") }
        guard bufferSize > 0 else { throw CaptureError("\(context): the buffer size must be positive, not \(bufferSize)") }
        let (created, message) = withLibpcapErrorBuffer { pcap_create(interface, $0) }
        guard let created else { throw CaptureError("\(context): cannot start: \(message)") }
        do throws(CaptureError) {
            pcap_set_snaplen(created, snapshotLength)
            pcap_set_promisc(created, promiscuous ? 1 : 0)
            pcap_set_immediate_mode(created, 1)
            pcap_set_buffer_size(created, Int32(clamping: bufferSize))
            pcap_set_tstamp_precision(created, Int32(PCAP_TSTAMP_PRECISION_NANO))
            try Self.activate(created, context: context, interface: interface)
            try Self.setFilter(filter, on: created, context: context)
            let (result, message) = withLibpcapErrorBuffer { pcap_setnonblock(created, 1, $0) }
            guard result == 0 else { throw CaptureError("\(context): cannot switch to non-blocking mode: \(message)") }
            socketDescriptor = pcap_get_selectable_fd(created)
            guard socketDescriptor >= 0 else { throw CaptureError("\(context): libpcap has no descriptor to wait on") }
            stopSignal = try StopSignal(owner: context)
        } catch {
            pcap_close(created)
            throw error
        }
        self.interface = interface
        linkType = LinkType(rawValue: pcap_datalink(created))
        fractionUnit =
            pcap_get_tstamp_precision(created) == PCAP_TSTAMP_PRECISION_NANO
            ? CapturedPacket.nanosecondFraction : CapturedPacket.microsecondFraction
        handle = Mutex(created)
    }

    deinit { close() }

    /// Waits at most `timeout` for the next packet.
    /// - Returns: the packet; nil when `timeout` passed without one, or after `stop()` or `close()`.
    /// - Throws: `CaptureError` when the capture failed, e.g. because the interface was removed.
    public func next(timeout: Duration) throws(CaptureError) -> CapturedPacket? {
        let deadline = ContinuousClock.now + min(max(timeout, .zero), Self.longestWait)
        while !stopSignal.isRaised {
            switch try readWaitingPacket() {
            case .packet(let packet): return packet
            case .closed: return nil
            case .nothingWaiting: break
            }
            let remaining = deadline - ContinuousClock.now
            guard remaining > .zero else { return nil }
            try waitUntilReadable(within: remaining)
        }
        return nil
    }

    /// The packet counters since the capture was opened.
    /// - Throws: `CaptureError` after `close()`, or when the kernel does not answer.
    public func statistics() throws(CaptureError) -> CaptureStatistics {
        return try handle.withLock { (handle) throws(CaptureError) -> CaptureStatistics in
            guard let handle else { throw CaptureError("\(context): the capture is closed") }
            var counters = pcap_stat()
            guard pcap_stats(handle, &counters) == 0 else {
                throw CaptureError("\(context): cannot read the packet counters: \(libpcapMessage(handle))")
            }
            return CaptureStatistics(
                received: UInt64(counters.ps_recv), droppedByKernel: UInt64(counters.ps_drop),
                droppedByInterface: UInt64(counters.ps_ifdrop))
        }
    }

    /// Makes a `next(timeout:)` waiting in another thread return nil promptly, and every later
    /// call return nil at once. Safe from any thread, any number of times.
    public func stop() {
        stopSignal.raise()
    }

    /// Stops the capture and frees it. Safe from any thread and more than once; a
    /// `next(timeout:)` running meanwhile returns nil.
    public func close() {
        stop()
        handle.withLock { handle in
            if let handle { pcap_close(handle) }
            handle = nil
        }
    }

    /// What one non-blocking read found.
    private enum ReadOutcome {
        case packet(CapturedPacket)
        case nothingWaiting
        case closed
    }

    /// Reads the packet waiting in the capture buffer, if any.
    private func readWaitingPacket() throws(CaptureError) -> ReadOutcome {
        return try handle.withLock { (handle) throws(CaptureError) -> ReadOutcome in
            guard let handle else { return .closed }
            var header: UnsafeMutablePointer<pcap_pkthdr>?
            var data: UnsafePointer<UInt8>?
            switch pcap_next_ex(handle, &header, &data) {
            case 1:
                guard let header else { return .nothingWaiting }
                return .packet(CapturedPacket(header: header.pointee, data: data, fractionUnit: fractionUnit))
            case 0, PCAP_ERROR_BREAK:
                return .nothingWaiting
            default:
                throw CaptureError("\(context): capture failed: \(libpcapMessage(handle))")
            }
        }
    }

    /// Waits until the capture socket has something, the stop pipe is written, or `remaining`
    /// passes. A hang-up on the socket (interface gone) with nothing to read is an error.
    private func waitUntilReadable(within remaining: Duration) throws(CaptureError) {
        let (seconds, attoseconds) = remaining.components
        let milliseconds = Int32(clamping: seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
        var descriptors = [
            pollfd(fd: socketDescriptor, events: Int16(POLLIN), revents: 0),
            pollfd(fd: stopSignal.descriptor, events: Int16(POLLIN), revents: 0),
        ]
        let ready = poll(&descriptors, nfds_t(descriptors.count), milliseconds)
        if ready < 0 {
            guard errno == EINTR else { throw CaptureError("\(context): poll failed: \(errorText(errno: errno))") }
            return
        }
        let hangUp = descriptors[0].revents & Int16(POLLHUP | POLLNVAL) != 0
        if hangUp, !stopSignal.isRaised, case .nothingWaiting = try readWaitingPacket() {
            throw CaptureError("\(context): the capture socket hung up (was the interface removed?)")
        }
    }

    /// How messages about this capture begin: `capture on INTERFACE`.
    private var context: String { Self.context(interface) }

    private static func context(_ interface: String) -> String {
        "capture on \(interface)"
    }

    /// Activates the capture with the settings made, turning libpcap's failures into messages.
    private static func activate(_ handle: OpaquePointer, context: String, interface: String) throws(CaptureError) {
        let status = pcap_activate(handle)
        guard status < 0 else { return }
        let detail = libpcapMessage(handle)
        let libpcap = detail.isEmpty ? "" : " (libpcap: \(detail))"
        switch status {
        case PCAP_ERROR_NO_SUCH_DEVICE:
            throw CaptureError("\(context): no such interface '\(interface)' in this network namespace\(libpcap)")
        case PCAP_ERROR_PERM_DENIED:
            throw CaptureError("\(context): permission denied: live capture needs root or the CAP_NET_RAW capability\(libpcap)")
        case PCAP_ERROR_PROMISC_PERM_DENIED:
            throw CaptureError("\(context): permission denied for promiscuous mode\(libpcap)")
        case PCAP_ERROR_IFACE_NOT_UP:
            throw CaptureError("\(context): the interface is down\(libpcap)")
        default:
            throw CaptureError("\(context): cannot start: \(String(cString: pcap_statustostr(status)))\(libpcap)")
        }
    }

    /// Compiles `filter` for the activated `handle` and installs it.
    private static func setFilter(_ filter: String, on handle: OpaquePointer, context: String) throws(CaptureError) {
        var program = bpf_program()
        guard pcap_compile(handle, &program, filter, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw CaptureError("\(context): bad filter '\(filter)': \(libpcapMessage(handle))")
        }
        defer { pcap_freecode(&program) }
        guard pcap_setfilter(handle, &program) == 0 else {
            throw CaptureError("\(context): cannot set filter '\(filter)': \(libpcapMessage(handle))")
        }
    }
}
