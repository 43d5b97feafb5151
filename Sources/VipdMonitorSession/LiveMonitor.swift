import Dispatch
import FoundationEssentials
import NIOConcurrencyHelpers
import VipdCapture
import VipdCore
import VipdMonitor

/// The monitor on live interfaces: one capture thread per interface feeding one analyzer, a
/// ticker letting time pass a few times a second, and the events handed to `onEvent` in order.
///
/// Open it in the network namespace to watch (the captures bind there when created); the
/// threads may run anywhere. `stop()` ends the threads and closes the captures.
public final class LiveMonitor: @unchecked Sendable {
    /// Called for every event, one at a time, with the analyzer's state after it.
    public typealias EventHandler = @Sendable (MonitorEvent, MonitorState) -> Void
    /// Called once per interface when its capture fails (the interface went away, say).
    public typealias FailureHandler = @Sendable (CaptureError) -> Void

    private let captures: [LiveCapture]
    private let links: [LinkLayer]
    private let analyzer: NIOLockedValueBox<MonitorAnalyzer>
    private let writer: NIOLockedValueBox<PcapFileWriter?>
    private let onEvent: EventHandler
    private let onFailure: FailureHandler
    private let stopped = NIOLockedValueBox(false)
    private let finished = DispatchGroup()
    /// How often time advances without packets.
    private let tick: Duration
    /// How far behind the wall clock the ticker lets time run.
    static let readLag = Duration.milliseconds(500)

    /// Opens a capture on each of `interfaces` with the monitor's filter.
    /// - Throws: the first interface's `CaptureError` (no such interface, no permission, a link
    ///   type the decoder cannot read), after closing what was already open.
    public init(
        interfaces: [String], settings: MonitorSettings, evidencePath: String? = nil, tick: Duration = .milliseconds(250),
        onFailure: @escaping FailureHandler, onEvent: @escaping EventHandler
    ) throws(CaptureError) {
        var opened: [LiveCapture] = []
        var links: [LinkLayer] = []
        do throws(CaptureError) {
            for interface in interfaces {
                let capture = try LiveCapture(interface: interface, filter: MonitorCaptureFilter.expression)
                opened.append(capture)
                guard let link = LinkLayer(dataLinkType: capture.linkType.rawValue) else {
                    throw CaptureError(
                        "capture on \(interface): link type \(capture.linkType) is not supported; the monitor reads "
                            + LinkLayer.supportedNames)
                }
                links.append(link)
            }
            let firstLink = opened.first?.linkType ?? .ethernet
            writer = NIOLockedValueBox(try evidencePath.map { path throws(CaptureError) in try PcapFileWriter(path: path, linkType: firstLink) })
        } catch {
            opened.forEach { $0.close() }
            throw error
        }
        captures = opened
        self.links = links
        self.tick = tick
        self.onEvent = onEvent
        self.onFailure = onFailure
        analyzer = NIOLockedValueBox(MonitorAnalyzer(settings: settings, startedAt: .now()))
    }

    deinit { stopBlockingThisThread() }

    /// Starts the capture threads and the ticker.
    public func start() {
        for (capture, link) in zip(captures, links) {
            spawn("vipd-monitor-\(capture.interface)") { [self] in readLoop(capture, link: link) }
        }
        spawn("vipd-monitor-tick") { [self] in
            while true {
                sleepBlockingThisThread(for: tick)
                guard !stopped.withLockedValue({ $0 }) else { return }
                // Time runs a little behind the wall clock, so packets still in the kernel's
                // buffer are not mistaken for silence.
                advance(to: .now() - Self.readLag)
            }
        }
    }

    /// Stops the threads (within about 100 ms), waiting for them on the calling thread, then closes
    /// the captures and the evidence file: for synchronous callers. Idempotent.
    public func stopBlockingThisThread() {
        guard beginStopping() else { return }
        finished.wait()
        close()
    }

    /// Stops the threads and closes the captures and the evidence file, waiting for the threads
    /// without blocking a Swift concurrency thread. Idempotent.
    public func stop() async {
        guard beginStopping() else { return }
        await withCheckedContinuation { continuation in
            finished.notify(queue: .global()) { continuation.resume() }
        }
        close()
    }

    /// Tells the threads to end; false when it was done before.
    private func beginStopping() -> Bool {
        let wasStopped = stopped.withLockedValue { value in
            defer { value = true }
            return value
        }
        guard !wasStopped else { return false }
        captures.forEach { $0.stop() }
        return true
    }

    /// Once the threads ended: the captures and the evidence file.
    private func close() {
        captures.forEach { $0.close() }
        writer.withLockedValue { writer in
            try? writer?.close()
            writer = nil
        }
    }

    /// Lets time pass: findings that depend on silence begin or end.
    public func advance(to time: MonitorInstant) {
        deliver { analyzer in analyzer.advance(to: Swift.max(time, analyzer.latestTime)) }
    }

    /// A sample of the daemon's VRRP socket receive counter.
    public func recordSocketReceipts(_ socket: SocketKey, total: Int) {
        deliver { analyzer in analyzer.recordSocketReceipts(socket, total: total, at: Swift.max(.now() - Self.readLag, analyzer.latestTime)) }
    }

    /// Reads the analyzer under its lock (for a table, a summary, a status).
    public func withAnalyzer<T>(_ body: (MonitorAnalyzer) -> T) -> T { analyzer.withLockedValue { body($0) } }

    /// Every capture's counters; kernel drops included.
    public func counts() -> [CaptureCounts] {
        captures.map { capture in
            guard let statistics = try? capture.statistics() else { return CaptureCounts(source: capture.interface, received: 0) }
            return CaptureCounts(
                source: capture.interface, received: statistics.received, droppedByKernel: statistics.droppedByKernel,
                droppedByInterface: statistics.droppedByInterface)
        }
    }

    private func readLoop(_ capture: LiveCapture, link: LinkLayer) {
        while !stopped.withLockedValue({ $0 }) {
            let packet: CapturedPacket?
            do {
                packet = try capture.next(timeout: .milliseconds(100))
            } catch {
                // The interface went away or the capture failed: say so once, then wait for it to return.
                deliverFailure(error, on: capture.interface)
                sleepBlockingThisThread(for: .seconds(1))
                continue
            }
            guard let packet else { continue }
            let verdict = FrameDecoder.decode(packet.bytes, link: link)
            if case .packet = verdict { writer.withLockedValue { try? $0?.write(packet) } }
            deliver { analyzer in
                analyzer.observe(
                    verdict, interface: capture.interface,
                    at: Swift.max(MonitorInstant(sinceEpoch: packet.timestamp), analyzer.latestTime))
            }
        }
    }

    private let reportedFailures = NIOLockedValueBox<Set<String>>([])

    /// Hands a capture failure to `onFailure`, once per interface.
    private func deliverFailure(_ error: CaptureError, on interface: String) {
        let first = reportedFailures.withLockedValue { $0.insert(interface).inserted }
        if first { onFailure(error) }
    }

    /// Runs `change` on the analyzer and hands its events to `onEvent`, all under the lock so events stay in order.
    private func deliver(_ change: (inout MonitorAnalyzer) -> [MonitorEvent]) {
        analyzer.withLockedValue { analyzer in
            for event in change(&analyzer) { onEvent(event, analyzer.state) }
        }
    }

    private func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
        finished.enter()
        do {
            try DetachedThread.start { [finished] in
                body()
                finished.leave()
            }
        } catch {
            finished.leave()
            onFailure(CaptureError("\(name): \(error)"))
        }
    }
}
